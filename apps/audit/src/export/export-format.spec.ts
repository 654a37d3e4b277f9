import type { ExportRecord } from '@compliance-graph/audit-log';
import { parse } from 'csv-parse/sync';
import { RECORD_KEYS, csvHeader, csvLine, isExportFormat } from './export-format';

const record = (reason: string) =>
  ({
    id: 'e', tenantId: 't', seq: 0, occurredAt: 'o', recordedAt: 'r', action: 'a', actorKind: 'USER', actorId: null, subjectType: 's',
    subjectId: null, service: 'identity', ip: null, userAgent: null, reason, data: {}, leafHash: 'h',
  }) as unknown as ExportRecord;

describe('CSV export cells', () => {
  // Producers may trim reasons, so tab and CR are checked here, where the cell is written.
  it.each([
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['=1+2', "'=1+2"],
    ['plain', 'plain'],
  ])('writes the reason %j as %j', (reason, cell) => {
    expect(csvLine(record(reason))).toBe(`e,t,0,o,r,a,USER,,s,,identity,,,${cell},{},h\r\n`);
  });

  it('keeps a reason with line breaks and a formula after them in its one cell, as a CSV reader reads it', () => {
    // No comma or quote, which would get the cell quoted anyway: the line breaks alone must.
    const reason = 'first line\n=1+2\rmore';
    const [header, row, ...rest] = parse(csvHeader() + csvLine(record(reason)) + csvLine(record('=1+2')), {
      // Read as a spreadsheet reads it: any line break outside quotes ends a row.
      record_delimiter: ['\r\n', '\n', '\r'],
    });
    expect(header).toEqual(RECORD_KEYS);
    expect(row[RECORD_KEYS.indexOf('reason')]).toBe(reason);
    expect(rest).toHaveLength(1);
    expect(rest[0][RECORD_KEYS.indexOf('reason')]).toBe("'=1+2");
    expect(row[RECORD_KEYS.indexOf('data')]).toBe('{}');
  });

  it('takes only its own keys as formats', () => {
    expect(['ndjson', 'csv', 'toString', '__proto__', 'constructor', ['csv']].map(isExportFormat)).toEqual([true, true, false, false, false, false]);
  });
});
