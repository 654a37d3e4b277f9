import { Client } from 'pg';
import { elapsedMs } from './stats';

/** Time spent in one kind of SQL statement: from sending it to its result, lock waits included. */
export interface StatementTime {
  count: number;
  totalMs: number;
  maxMs: number;
  firstMs: number;
  lastMs: number;
}

export type SqlProfile = Map<string, StatementTime>;

/**
 * The statements the audit service sends, by what they do. Anything else is named by its first
 * words, so nothing is hidden.
 */
const KINDS: Array<[RegExp, string]> = [
  [/^(START TRANSACTION|BEGIN)/i, 'BEGIN'],
  [/^COMMIT/i, 'COMMIT'],
  [/^ROLLBACK/i, 'ROLLBACK'],
  [/^SELECT set_config\('app\.tenant_id'/i, 'set tenant (RLS)'],
  [/^INSERT INTO audit\.log_heads/i, 'head insert (first append)'],
  [/^SELECT size FROM audit\.log_heads WHERE tenant_id = \$1 FOR UPDATE/i, 'head lock (SELECT ... FOR UPDATE)'],
  [/^SELECT size FROM audit\.log_heads/i, 'head read'],
  [/^UPDATE audit\.log_heads/i, 'head update'],
  [/^SELECT id FROM audit\.events WHERE id = ANY/i, 'duplicate check'],
  [/^INSERT INTO audit\.events/i, 'event insert'],
  [/^SELECT hash FROM audit\.tree_nodes/i, 'tree node read'],
  [/^SELECT index, hash FROM audit\.tree_nodes/i, 'stored leaves read (verify)'],
  [/^SELECT n\.level, n\.index, n\.hash FROM audit\.tree_nodes/i, 'tree nodes prefetch (one query)'],
  [/^SELECT h\.tenant_id, h\.size FROM audit\.log_heads/i, 'grown logs (periodic checkpointer)'],
  [/^INSERT INTO audit\.tree_nodes/i, 'tree node insert'],
  [/^WITH written AS \(\s*INSERT INTO audit\.checkpoints/i, 'checkpoint upsert'],
  [/^SELECT DISTINCT tree_size, root_hash FROM audit\.checkpoints/i, 'checkpoints read (verify)'],
  [/^SELECT .* FROM "audit"\."events" .* OFFSET/is, 'events page, OFFSET (verify)'],
  [/^SELECT .* FROM "audit"\."events" .*"seq" > .* LIMIT/is, 'events page (verify)'],
  [/^SELECT .* FROM "audit"\."events"/is, 'event read'],
  [/^SELECT seq, leaf_hash, \(SELECT size FROM audit\.log_heads/i, 'event and head read'],
];

const kindOf = (text: string): string => {
  const sql = text.trimStart();
  for (const [pattern, kind] of KINDS) if (pattern.test(sql)) return kind;
  return sql.replace(/\s+/g, ' ').slice(0, 48);
};

const textOf = (config: unknown): string | undefined =>
  typeof config === 'string' ? config : typeof (config as { text?: unknown })?.text === 'string' ? (config as { text: string }).text : undefined;

export interface SqlProfiler {
  /** What was measured since the last `take` (or the install), and starts afresh. */
  take(): SqlProfile;
  /** Puts pg's own `query` back. */
  uninstall(): void;
}

/**
 * Wraps node-postgres' Client#query, which TypeORM's postgres driver awaits for every
 * statement, to time each statement by kind. Costs two hrtime readings and a regex or two per
 * statement (a few microseconds against statements of 50 µs and more). Only promise-style
 * calls with SQL text are timed; streams and callbacks go through untouched.
 */
export function installSqlProfiler(): SqlProfiler {
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let profile: SqlProfile = new Map();
  const kinds = new Map<string, string>();
  prototype.query = function timedQuery(this: unknown, ...args: unknown[]) {
    const text = textOf(args[0]);
    const started = process.hrtime.bigint();
    const result = original.apply(this, args);
    if (text === undefined || typeof args[args.length - 1] === 'function' || !(result instanceof Promise)) return result;
    const record = () => {
      const took = elapsedMs(started);
      let kind = kinds.get(text);
      if (kind === undefined) {
        kind = kindOf(text);
        if (kinds.size < 10_000) kinds.set(text, kind);
      }
      const entry = profile.get(kind);
      if (entry) {
        entry.count += 1;
        entry.totalMs += took;
        entry.maxMs = Math.max(entry.maxMs, took);
        entry.lastMs = took;
      } else {
        profile.set(kind, { count: 1, totalMs: took, maxMs: took, firstMs: took, lastMs: took });
      }
    };
    result.then(record, record);
    return result;
  };
  return {
    take() {
      const taken = profile;
      profile = new Map();
      return taken;
    },
    uninstall() {
      prototype.query = original;
    },
  };
}

export const sqlTotalMs = (profile: SqlProfile) => [...profile.values()].reduce((total, entry) => total + entry.totalMs, 0);
export const sqlCount = (profile: SqlProfile) => [...profile.values()].reduce((total, entry) => total + entry.count, 0);
