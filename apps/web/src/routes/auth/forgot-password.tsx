import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { api } from '../../api';
import { FormError } from '../../components/form-error';
import { TextField } from '../../components/text-field';
import { t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';
import { createSubmission } from '../../lib/submission';

export default function ForgotPassword() {
  usePageTitle(() => t('forgot.title'));
  const [email, setEmail] = createSignal('');
  const [sent, setSent] = createSignal(false);
  const submission = createSubmission();

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void submission.run(async () => {
      await api('/auth/forgot-password', { method: 'POST', body: { email: email() } });
      setSent(true);
    });
  };

  return (
    <section class="panel narrow">
      <h1>{t('forgot.title')}</h1>
      <Show
        when={sent()}
        fallback={
          <form class="stack" onSubmit={onSubmit}>
            <p>{t('forgot.intro')}</p>
            <TextField
              label={t('auth.email')}
              type="email"
              value={email()}
              onInput={setEmail}
              autocomplete="email"
              required
            />
            <FormError error={submission.error()} />
            <button type="submit" class="button primary" disabled={submission.pending()}>
              {t('forgot.submit')}
            </button>
          </form>
        }
      >
        <p role="status" class="alert alert-success">
          {t('forgot.sent')}
        </p>
      </Show>
      <p>
        <A href="/login">{t('auth.goToLogin')}</A>
      </p>
    </section>
  );
}
