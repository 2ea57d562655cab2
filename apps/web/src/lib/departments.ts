import type { Department } from '@mesa/core';
import { api, type List } from '../api';

let cached: Promise<Department[]> | undefined;

/** Departments change rarely: fetched once per visit and shared by every screen; a failure is retried next time. */
export function loadDepartments(): Promise<Department[]> {
  cached ??= api<List<Department>>('/departments').then(
    (list) => list.items,
    (cause: unknown) => {
      cached = undefined;
      throw cause;
    },
  );
  return cached;
}
