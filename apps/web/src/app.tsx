import { Route, Router } from '@solidjs/router';
import { Layout } from './components/layout';
import { RequireAuth } from './components/require-auth';
import AdminMail from './routes/admin/mail';
import ForgotPassword from './routes/auth/forgot-password';
import Login from './routes/auth/login';
import Register from './routes/auth/register';
import ResetPassword from './routes/auth/reset-password';
import VerifyEmail from './routes/auth/verify-email';
import NotFound from './routes/not-found';
import Home from './routes/portal/home';
import NewTicket from './routes/portal/new-ticket';
import TicketDetail from './routes/portal/ticket-detail';
import MyTickets from './routes/portal/tickets';
import Queue from './routes/staff/queue';

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
        <Route path="/admin/mail" component={AdminMail} />
      </Route>
      <Route path="*404" component={NotFound} />
    </Router>
  );
}
