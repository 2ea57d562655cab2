import type { User } from '@mesa/core';
import { createSignal, createUniqueId, onMount, Show } from 'solid-js';
import { api } from '../api';
import { syncClient, syncState } from '../data/device';
import { t } from '../i18n';
import { createSubmission } from '../lib/submission';
import { currentUser, reauthRequired, setCurrentUser } from '../session';
import { FormError } from './form-error';
import { TextField } from './text-field';

/**
 * The session expired while the user kept working: their data and queue stay on the device, and the
 * password is asked for here, in place, for the same account; sync resumes where it stopped.
 */
export function ReauthDialog() {
  const needed = () => Boolean(currentUser()) && (reauthRequired() || syncState().authRequired);
  return <Show when={needed() && currentUser()}>{(user) => <ReauthForm user={user()} />}</Show>;
}

function ReauthForm(props: { user: User }) {
  const titleId = createUniqueId();
  const [password, setPassword] = createSignal('');
  const submission = createSubmission();
  let dialog: HTMLDialogElement | undefined;
  onMount(() => dialog?.showModal());

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void submission.run(async () => {
      const { user } = await api<{ user: User }>('/auth/login', {
        method: 'POST',
        body: { email: props.user.email, password: password() },
      });
      setCurrentUser(user);
      syncClient()?.resume();
      dialog?.close();
    });
  };

  return (
    <dialog ref={dialog} class="panel narrow reauth" aria-labelledby={titleId} onCancel={(e) => e.preventDefault()}>
      <h2 id={titleId}>{t('reauth.title')}</h2>
      <p>{t('reauth.explain', { email: props.user.email })}</p>
      <form class="stack" onSubmit={onSubmit}>
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
          {t('reauth.submit')}
        </button>
      </form>
    </dialog>
  );
}
