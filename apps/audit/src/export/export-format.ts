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

/** A spreadsheet takes a cell beginning with one of these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; null is empty.
 * A field that would start a formula gets a leading single quote, as OWASP recommends, so the
 * CSV is for reading: NDJSON is the form that verifies.
 */
const csvField = (value: unknown) => {
  if (value === null || value === undefined) return '';
  const raw = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvHeader = () => `${RECORD_KEYS.join(',')}\r\n`;
export const csvLine = (record: ExportRecord) => `${RECORD_KEYS.map((key) => csvField(record[key])).join(',')}\r\n`;
