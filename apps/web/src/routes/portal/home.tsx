import { isStaff } from '@mesa/core';
import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';
import { currentUser } from '../../session';

export default function Home() {
  usePageTitle(() => t('home.title'));
  return (
    <section class="stack">
      <h1>{t('home.title')}</h1>
      <p>{t('home.intro')}</p>
      <Show
        when={currentUser()}
        fallback={
          <>
            <p>{t('home.guest')}</p>
            <ul class="actions">
              <li>
                <A href="/login" class="button primary">
                  {t('nav.login')}
                </A>
              </li>
              <li>
                <A href="/register" class="button">
                  {t('nav.register')}
                </A>
              </li>
            </ul>
          </>
        }
      >
        {(user) => (
          <>
            <p>{t('home.greeting', { name: user().name })}</p>
            <ul class="actions">
              <li>
                <A href="/tickets/new" class="button primary">
                  {t('nav.newTicket')}
                </A>
              </li>
              <li>
                <A href="/tickets" class="button">
                  {t('nav.myTickets')}
                </A>
              </li>
              <Show when={isStaff(user().role)}>
                <li>
                  <A href="/queue" class="button">
                    {t('nav.queue')}
                  </A>
                </li>
              </Show>
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}
