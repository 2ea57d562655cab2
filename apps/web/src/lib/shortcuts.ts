import { onCleanup, onMount } from 'solid-js';

/** Keys typed into a field are text, never shortcuts. */
export const isTyping = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));

/**
 * Single-key shortcuts for as long as the calling component is on screen (the desk's keyboard-first
 * screens). A handler returning false leaves the key to the browser.
 */
export function useShortcuts(keys: Record<string, (event: KeyboardEvent) => unknown>): void {
  onMount(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const handler = Object.hasOwn(keys, event.key) ? keys[event.key] : undefined;
      if (handler && handler(event) !== false) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    onCleanup(() => document.removeEventListener('keydown', onKey));
  });
}
