import { createRoot, createSignal } from 'solid-js';

/** How many alerts the agent has, for the page title and the app icon (its own module: the title is on every screen). */
export const [alertCount, setAlertCount] = createRoot(() => createSignal(0));
