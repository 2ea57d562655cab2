import { createSignal } from 'solid-js';
import { type ApiError, asApiError } from '../api';

/**
 * Pending/error state for one form or button. Form fields live in the caller's own
 * signals and are never touched here, so a failed submit keeps what the user typed.
 */
export function createSubmission() {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);

  /** Runs `action` unless one is already running; resolves `true` when it succeeded. */
  async function run(action: () => Promise<void>): Promise<boolean> {
    if (pending()) return false;
    setPending(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (cause) {
      setError(asApiError(cause));
      return false;
    } finally {
      setPending(false);
    }
  }

  return { pending, error, setError, run };
}
