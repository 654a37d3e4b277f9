import type { ExportRecord } from '@compliance-graph/audit-log';
import { csvLine, isExportFormat } from './export-format';

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

  it('takes only its own keys as formats', () => {
    expect(['ndjson', 'csv', 'toString', '__proto__', 'constructor', ['csv']].map(isExportFormat)).toEqual([true, true, false, false, false, false]);
  });
});
