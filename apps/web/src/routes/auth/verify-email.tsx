import { A, useSearchParams } from '@solidjs/router';
import { createSignal, Match, onMount, Switch } from 'solid-js';
import { api } from '../../api';
import { FormError } from '../../components/form-error';
import { t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';
import { firstParam } from '../../lib/params';
import { createSubmission } from '../../lib/submission';
import { currentUser, refreshSession } from '../../session';

/** `/verify?token=…`, the link from the confirmation e-mail: confirms on arrival. */
export default function VerifyEmail() {
  usePageTitle(() => t('verify.title'));
  const [params] = useSearchParams();
  const token = firstParam(params.token);
  const [done, setDone] = createSignal(false);
  const submission = createSubmission();

  onMount(() => {
    if (!token) return;
    void submission.run(async () => {
      await api('/auth/verify-email', { method: 'POST', body: { token } });
      setDone(true);
      refreshSession(); // in case the API also opened a session
    });
  });

  return (
    <section class="panel narrow">
      <h1>{t('verify.title')}</h1>
      <Switch>
        <Match when={!token}>
          <p class="alert alert-error" role="alert">
            {t('verify.missingToken')}
          </p>
        </Match>
        <Match when={submission.pending()}>
          <p role="status">{t('verify.working')}</p>
        </Match>
        <Match when={done()}>
          <p role="status" class="alert alert-success">
            {t('verify.done')}
          </p>
          <p>{currentUser() ? <A href="/">{t('app.backHome')}</A> : <A href="/login">{t('auth.goToLogin')}</A>}</p>
        </Match>
      </Switch>
      <FormError error={submission.error()} />
    </section>
  );
}
