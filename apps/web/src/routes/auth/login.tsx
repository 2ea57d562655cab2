import { isStaff, type User } from '@mesa/core';
import { A, Navigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { api } from '../../api';
import { FormError } from '../../components/form-error';
import { TextField } from '../../components/text-field';
import { warmDevice } from '../../data/device';
import { t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';
import { firstParam, safeRedirect } from '../../lib/params';
import { createSubmission } from '../../lib/submission';
import { currentUser, setCurrentUser } from '../../session';

export default function Login() {
  usePageTitle(() => t('login.title'));
  const [params] = useSearchParams();
  // Staff start at their queue unless a link brought them here.
  const next = () => {
    const asked = firstParam(params.next);
    return asked ? safeRedirect(asked) : isStaff(currentUser()?.role ?? 'customer') ? '/queue' : '/';
  };
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const submission = createSubmission();

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    warmDevice();
    void submission.run(async () => {
      const { user } = await api<{ user: User }>('/auth/login', {
        method: 'POST',
        body: { email: email(), password: password() },
      });
      setCurrentUser(user); // the <Show> below then redirects to `next`
    });
  };

  return (
    <Show when={!currentUser()} fallback={<Navigate href={next()} />}>
      <section class="panel narrow">
        <h1>{t('login.title')}</h1>
        <form class="stack" onSubmit={onSubmit}>
          <TextField
            label={t('auth.email')}
            type="email"
            value={email()}
            onInput={setEmail}
            autocomplete="email"
            required
          />
          <TextField
            label={t('auth.password')}
            type="password"
            value={password()}
            onInput={setPassword}
            autocomplete="current-password"
            required
          />
          <FormError error={submission.error()} />
          <button type="submit" class="button primary" disabled={submission.pending()}>
            {t('login.submit')}
          </button>
        </form>
        <p>
          <A href="/forgot-password">{t('login.forgot')}</A>
        </p>
        <p>
          {t('login.noAccount')} <A href="/register">{t('nav.register')}</A>
        </p>
      </section>
    </Show>
  );
}
