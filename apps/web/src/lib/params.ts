/** The first value of a search param (the router allows repeated keys). */
export const firstParam = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** Only same-origin paths are valid redirect targets (no `//host` or `/\host`). */
export const safeRedirect = (value: string | undefined): string =>
  value?.startsWith('/') && !/^\/[/\\]/.test(value) ? value : '/';
