import postgres from 'postgres';

/** The Postgres server the benches run on: BENCH_DATABASE_URL, or the local one. */
export const benchServerUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A database of the bench's own on that server, `<prefix>_<pid>`: `recreate()` makes it (again) empty,
 * `drop()` removes it when the bench ends. Each statement runs on a short-lived admin connection.
 */
export function scratchDatabase(prefix: string) {
  const name = `${prefix}_${process.pid}`;
  const url = new URL(benchServerUrl);
  url.pathname = `/${name}`;
  const run = async (...statements: string[]) => {
    const admin = postgres(benchServerUrl, { max: 1, onnotice: () => {} });
    try {
      for (const s of statements) await admin.unsafe(s);
    } finally {
      await admin.end();
    }
  };
  return {
    name,
    url: url.toString(),
    recreate: () => run(`drop database if exists ${name} with (force)`, `create database ${name}`),
    drop: () => run(`drop database if exists ${name} with (force)`),
  };
}
