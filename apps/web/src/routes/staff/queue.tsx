import { DeskQueue } from '../../components/desk-queue';

/** `/queue`: the agents' queue over every ticket on the device (what the role and departments may see). */
export default function Queue() {
  return <DeskQueue />;
}
