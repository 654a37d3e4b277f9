import { stringify } from 'csv-stringify/sync';
import type { ExportRecord } from '@compliance-graph/audit-log';

/** The export record's keys, in the contract's order: the CSV header and every line's order. */
export const RECORD_KEYS: ReadonlyArray<keyof ExportRecord> = [
  'id', 'tenantId', 'seq', 'occurredAt', 'recordedAt', 'action', 'actorKind', 'actorId', 'subjectType',
  'subjectId', 'service', 'ip', 'userAgent', 'reason', 'data', 'leafHash',
];

export const FORMATS = {
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
} as const;
export type ExportFormat = keyof typeof FORMATS;

/** Own keys only: `toString`, `constructor` or `__proto__` are not formats. */
export const isExportFormat = (value: unknown): value is ExportFormat =>
  typeof value === 'string' && Object.hasOwn(FORMATS, value);

export const ndjsonLine = (record: ExportRecord) =>
  `${JSON.stringify(Object.fromEntries(RECORD_KEYS.map((key) => [key, record[key]])))}\n`;

/**
 * RFC 4180 lines (quoted where needed, CRLF), null as empty, objects as JSON; a cell a
 * spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading single quote
 * (csv-stringify's escape_formulas, as OWASP recommends), so the CSV is for reading: NDJSON is the
 * form that verifies.
 */
const CSV_OPTIONS = {
  escape_formulas: true,
  record_delimiter: 'windows',
  // With CRLF records csv-stringify quotes only fields holding CRLF itself; a lone LF or CR would end the row.
  quoted_match: /[\r\n]/,
  cast: { object: (value: object) => JSON.stringify(value) },
} as const;

export const csvHeader = () => stringify([RECORD_KEYS as string[]], CSV_OPTIONS);
export const csvLine = (record: ExportRecord) => stringify([RECORD_KEYS.map((key) => record[key])], CSV_OPTIONS);
