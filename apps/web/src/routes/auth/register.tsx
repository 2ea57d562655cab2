import type { Language } from '@mesa/core';
import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { api } from '../../api';
import { FormError } from '../../components/form-error';
import { LanguageSelect } from '../../components/language-select';
import { TextField } from '../../components/text-field';
import { language, t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';
import { createSubmission } from '../../lib/submission';

export default function Register() {
  usePageTitle(() => t('register.title'));
  const [name, setName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [preferred, setPreferred] = createSignal<Language>(language());
  const [sentTo, setSentTo] = createSignal<string | null>(null);
  const submission = createSubmission();

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void submission.run(async () => {
      await api('/auth/register', {
        method: 'POST',
        body: { name: name(), email: email(), password: password(), language: preferred() },
      });
      setSentTo(email());
    });
  };

  return (
    <section class="panel narrow">
      <Show
        when={sentTo()}
        fallback={
          <>
            <h1>{t('register.title')}</h1>
            <form class="stack" onSubmit={onSubmit}>
              <TextField label={t('auth.name')} value={name()} onInput={setName} autocomplete="name" required />
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
                autocomplete="new-password"
                minLength={8}
                hint={t('auth.passwordHint')}
                required
              />
              <LanguageSelect label={t('auth.language')} value={preferred()} onChange={setPreferred} />
              <FormError error={submission.error()} />
              <button type="submit" class="button primary" disabled={submission.pending()}>
                {t('register.submit')}
              </button>
            </form>
            <p>
              {t('register.haveAccount')} <A href="/login">{t('nav.login')}</A>
            </p>
          </>
        }
      >
        {(address) => (
          <div role="status">
            <h1>{t('register.checkEmailTitle')}</h1>
            <p>{t('register.checkEmail', { email: address() })}</p>
          </div>
        )}
      </Show>
    </section>
  );
}
