import { A, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { ApiError, api } from '../../api';
import { FormError } from '../../components/form-error';
import { TextField } from '../../components/text-field';
import { t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';
import { firstParam } from '../../lib/params';
import { createSubmission } from '../../lib/submission';

/** `/reset?token=…`, the link from the password-reset e-mail. */
export default function ResetPassword() {
  usePageTitle(() => t('reset.title'));
  const [params] = useSearchParams();
  const token = firstParam(params.token);
  const [password, setPassword] = createSignal('');
  const [confirmation, setConfirmation] = createSignal('');
  const [done, setDone] = createSignal(false);
  const submission = createSubmission();

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    if (password() !== confirmation()) {
      submission.setError(new ApiError({ code: 'VALIDATION_FAILED', message: t('auth.passwordMismatch'), status: 0 }));
      return;
    }
    void submission.run(async () => {
      await api('/auth/reset-password', { method: 'POST', body: { token, password: password() } });
      setDone(true);
    });
  };

  return (
    <section class="panel narrow">
      <h1>{t('reset.title')}</h1>
      <Show
        when={token}
        fallback={
          <p class="alert alert-error" role="alert">
            {t('reset.missingToken')} <A href="/forgot-password">{t('forgot.title')}</A>
          </p>
        }
      >
        <Show
          when={done()}
          fallback={
            <form class="stack" onSubmit={onSubmit}>
              <TextField
                label={t('auth.newPassword')}
                type="password"
                value={password()}
                onInput={setPassword}
                autocomplete="new-password"
                minLength={8}
                hint={t('auth.passwordHint')}
                required
              />
              <TextField
                label={t('auth.confirmPassword')}
                type="password"
                value={confirmation()}
                onInput={setConfirmation}
                autocomplete="new-password"
                required
              />
              <FormError error={submission.error()} />
              <button type="submit" class="button primary" disabled={submission.pending()}>
                {t('reset.submit')}
              </button>
            </form>
          }
        >
          <p role="status" class="alert alert-success">
            {t('reset.done')}
          </p>
          <p>
            <A href="/login">{t('auth.goToLogin')}</A>
          </p>
        </Show>
      </Show>
    </section>
  );
}
