import { Route, Router } from '@solidjs/router';
import { lazy } from 'solid-js';
import { Layout } from './components/layout';
import { RequireAuth } from './components/require-auth';
import NotFound from './routes/not-found';
import Home from './routes/portal/home';

// One chunk per screen group: the first screen loads only what it shows. The service worker precaches
// every chunk, so all of them open offline.
const Login = lazy(() => import('./routes/auth/login'));
const Register = lazy(() => import('./routes/auth/register'));
const VerifyEmail = lazy(() => import('./routes/auth/verify-email'));
const ForgotPassword = lazy(() => import('./routes/auth/forgot-password'));
const ResetPassword = lazy(() => import('./routes/auth/reset-password'));
const MyTickets = lazy(() => import('./routes/portal/tickets'));
const NewTicket = lazy(() => import('./routes/portal/new-ticket'));
const TicketDetail = lazy(() => import('./routes/portal/ticket-detail'));
const Queue = lazy(() => import('./routes/staff/queue'));
const Alerts = lazy(() => import('./routes/staff/alerts'));
const AdminMail = lazy(() => import('./routes/admin/mail'));

export function App() {
  return (
    <Router root={Layout}>
      <Route path="/" component={Home} />
      <Route path="/login" component={Login} />
      <Route path="/register" component={Register} />
      <Route path="/verify" component={VerifyEmail} />
      <Route path="/forgot-password" component={ForgotPassword} />
      <Route path="/reset" component={ResetPassword} />
      <Route component={RequireAuth}>
        <Route path="/tickets" component={MyTickets} />
        <Route path="/tickets/new" component={NewTicket} />
        <Route path="/tickets/:number" component={TicketDetail} />
        <Route path="/queue" component={Queue} />
        <Route path="/alerts" component={Alerts} />
        <Route path="/admin/mail" component={AdminMail} />
      </Route>
      <Route path="*404" component={NotFound} />
    </Router>
  );
}
