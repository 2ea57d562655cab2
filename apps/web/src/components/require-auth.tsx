import { Navigate, type RouteSectionProps, useLocation } from '@solidjs/router';
import { Match, Switch } from 'solid-js';
import { t } from '../i18n';
import { currentUser, sessionKnown } from '../session';

/** Layout route: renders its children for a signed-in user, otherwise sends them to log in and back. */
export function RequireAuth(props: RouteSectionProps) {
  const location = useLocation();
  const loginHref = () => `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  return (
    <Switch>
      <Match when={!sessionKnown()}>
        <p role="status">{t('app.loading')}</p>
      </Match>
      <Match when={!currentUser()}>
        <Navigate href={loginHref()} />
      </Match>
      <Match when={currentUser()}>{props.children}</Match>
    </Switch>
  );
}
