import { A } from '@solidjs/router';
import { t } from '../i18n';
import { usePageTitle } from '../lib/page-title';

export default function NotFound() {
  usePageTitle(() => t('app.notFound'));
  return (
    <section class="stack">
      <h1>{t('app.notFound')}</h1>
      <p>
        <A href="/">{t('app.backHome')}</A>
      </p>
    </section>
  );
}
