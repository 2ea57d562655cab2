import { type Article, statusLabels } from '@mesa/core';
import { For, Show } from 'solid-js';
import { pick, t } from '../i18n';
import { formatDateTime, formatDuration } from '../lib/format';

/** The conversation, oldest first. Bodies are plain text (never injected as HTML). */
export function ArticleList(props: { articles: Article[] }) {
  const ordered = () => [...props.articles].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return (
    <ol class="articles">
      <For each={ordered()} fallback={<li class="muted">{t('detail.noArticles')}</li>}>
        {(article) => (
          <li class={`article article-${article.kind}`}>
            <header class="article-header">
              <strong>{article.authorName ?? t('detail.system')}</strong>
              <Show when={article.kind !== 'public_reply'}>
                <span class="badge">{t(`article.${article.kind}`)}</span>
              </Show>
              <time datetime={article.createdAt}>{formatDateTime(article.createdAt)}</time>
            </header>
            <p class="prose">{article.body}</p>
            <Show when={article.realProblem}>
              {(text) => (
                <p class="prose">
                  <strong>{t('detail.realProblem')}:</strong> {text()}
                </p>
              )}
            </Show>
            <Show when={article.realSolution}>
              {(text) => (
                <p class="prose">
                  <strong>{t('detail.realSolution')}:</strong> {text()}
                </p>
              )}
            </Show>
            <Show when={article.nextStatus || article.timeSpentMinutes}>
              <p class="muted">
                <Show when={article.nextStatus}>
                  {(to) => <span>{t('note.nextStatus', { status: pick(statusLabels[to()]) })} </span>}
                </Show>
                <Show when={article.timeSpentMinutes}>
                  {(minutes) => <span>{t('note.spent', { time: formatDuration(minutes() * 60_000) })}</span>}
                </Show>
              </p>
            </Show>
          </li>
        )}
      </For>
    </ol>
  );
}
