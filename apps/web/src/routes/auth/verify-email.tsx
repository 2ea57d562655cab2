import { A, useSearchParams } from '@solidjs/router';
import { createSignal, Match, Show, Switch } from 'solid-js';
import { ApiError, api } from '../../api';
import { FormError } from '../../components/form-error';
import { TextField } from '../../components/text-field';
import { t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';
import { firstParam } from '../../lib/params';
import { createSubmission } from '../../lib/submission';

/**
 * `/verify?token=…`, the link from the confirmation e-mail. The link alone confirms nothing: whoever opens
 * it types the password chosen at sign-up, or, if someone else signed up with their address (or they forgot
 * it), chooses their own, so a password typed by a stranger never becomes theirs.
 */
export default function VerifyEmail() {
  usePageTitle(() => t('verify.title'));
  const [params] = useSearchParams();
  const token = firstParam(params.token);
  const [choosing, setChoosing] = createSignal(false);
  const [password, setPassword] = createSignal('');
  const [confirmation, setConfirmation] = createSignal('');
  const [done, setDone] = createSignal(false);
  const submission = createSubmission();

  const switchMode = (choose: boolean) => {
    setChoosing(choose);
    setPassword('');
    setConfirmation('');
    submission.setError(null);
  };

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    if (choosing() && password() !== confirmation()) {
      submission.setError(new ApiError({ code: 'VALIDATION_FAILED', message: t('auth.passwordMismatch'), status: 0 }));
      return;
    }
    void submission.run(async () => {
      const body = choosing() ? { token, newPassword: password() } : { token, password: password() };
      try {
        await api('/auth/verify-email', { method: 'POST', body });
      } catch (cause) {
        // The API's INVALID_CREDENTIALS speaks of "e-mail or password"; here only the sign-up password can be wrong.
        if (cause instanceof ApiError && cause.code === 'INVALID_CREDENTIALS') {
          throw new ApiError({
            code: cause.code,
            message: t('verify.wrongPassword'),
            status: cause.status,
            requestId: cause.requestId,
          });
        }
        throw cause;
      }
      setDone(true);
    });
  };

  return (
    <section class="panel narrow">
      <h1>{t('verify.title')}</h1>
      <Switch>
        <Match when={!token}>
          <p class="alert alert-error" role="alert">
            {t('verify.missingToken')}
          </p>
        </Match>
        <Match when={done()}>
          <p role="status" class="alert alert-success">
            {t('verify.done')}
          </p>
          <p>
            <A href="/login">{t('auth.goToLogin')}</A>
          </p>
        </Match>
        <Match when={!done()}>
          <p>{choosing() ? t('verify.chooseIntro') : t('verify.intro')}</p>
          <form class="stack" onSubmit={onSubmit}>
            <Show
              when={choosing()}
              fallback={
                <TextField
                  label={t('verify.signupPassword')}
                  type="password"
                  value={password()}
                  onInput={setPassword}
                  autocomplete="current-password"
                  required
                />
              }
            >
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
            </Show>
            <Show when={choosing()}>
              <TextField
                label={t('auth.confirmPassword')}
                type="password"
                value={confirmation()}
                onInput={setConfirmation}
                autocomplete="new-password"
                required
              />
            </Show>
            <FormError error={submission.error()} />
            <button type="submit" class="button primary" disabled={submission.pending()}>
              {choosing() ? t('verify.submitChoose') : t('verify.submit')}
            </button>
          </form>
          <p>
            <button type="button" class="link-button" onClick={() => switchMode(!choosing())}>
              {choosing() ? t('verify.useSignup') : t('verify.chooseInstead')}
            </button>
          </p>
        </Match>
      </Switch>
    </section>
  );
}
