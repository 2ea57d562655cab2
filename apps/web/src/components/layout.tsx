import { isStaff } from '@mesa/core';
import { A, type RouteSectionProps, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, on, Show } from 'solid-js';
import { clearDevice, unsyncedOnDevice } from '../data/device';
import { t } from '../i18n';
import { createSubmission } from '../lib/submission';
import { currentUser, logout } from '../session';
import { AlertsLink } from './alerts-link';
import { FormError } from './form-error';
import { LanguageSelect } from './language-select';
import { ReauthDialog } from './reauth-dialog';
import { ShortcutHelp } from './shortcut-help';
import { SyncStatus } from './sync-status';
import { UpdatePrompt } from './update-prompt';

/** Root layout: header (navigation, language, logout), the current screen, the update prompt. */
export function Layout(props: RouteSectionProps) {
  const location = useLocation();
  const navigate = useNavigate();
  const logoutSubmission = createSubmission();
  let main: HTMLElement | undefined;

  // After client-side navigation, move focus to the new screen as a page load would.
  createEffect(
    on(
      () => location.pathname,
      () => main?.focus({ preventScroll: true }),
      { defer: true },
    ),
  );

  const onLogout = () =>
    logoutSubmission.run(async () => {
      // Logging out deletes this user's device data: say what has not reached the server yet.
      const user = currentUser();
      const waiting = user ? await unsyncedOnDevice(user) : 0;
      if (waiting > 0 && !window.confirm(t('logout.unsynced', { count: waiting }))) return;
      await logout(clearDevice);
      navigate('/', { replace: true });
    });

  return (
    <>
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="app-header">
        <A href="/" class="brand" end>
          <img src="/icon.svg" alt="" width="32" height="32" />
          <span>{t('app.name')}</span>
        </A>
        <nav aria-label={t('app.mainNav')}>
          <ul class="nav-list">
            <Show
              when={currentUser()}
              fallback={
                <>
                  <li>
                    <A href="/login">{t('nav.login')}</A>
                  </li>
                  <li>
                    <A href="/register">{t('nav.register')}</A>
                  </li>
                </>
              }
            >
              {(user) => (
                <>
                  <li>
                    <A href="/tickets" end>
                      {t('nav.myTickets')}
                    </A>
                  </li>
                  <li>
                    <A href="/tickets/new">{t('nav.newTicket')}</A>
                  </li>
                  <Show when={isStaff(user().role)}>
                    <li>
                      <A href="/queue">{t('nav.queue')}</A>
                    </li>
                    <li>
                      <AlertsLink />
                    </li>
                  </Show>
                  <Show when={user().role === 'admin'}>
                    <li>
                      <A href="/admin/mail">{t('nav.adminMail')}</A>
                    </li>
                  </Show>
                  <li>
                    <button type="button" class="link-button" onClick={onLogout} disabled={logoutSubmission.pending()}>
                      {t('nav.logout')}
                    </button>
                  </li>
                </>
              )}
            </Show>
          </ul>
        </nav>
        <Show when={currentUser()}>
          <SyncStatus />
        </Show>
        <LanguageSelect />
      </header>
      <FormError error={logoutSubmission.error()} />
      <ReauthDialog />
      <main id="main" ref={main} tabindex="-1">
        {props.children}
      </main>
      <UpdatePrompt />
      <Show when={isStaff(currentUser()?.role ?? 'customer')}>
        <ShortcutHelp />
      </Show>
    </>
  );
}
