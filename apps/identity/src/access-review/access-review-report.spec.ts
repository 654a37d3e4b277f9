import { parse } from 'csv-parse/sync';
import { AccessReviewDecision, type AccessReviewItemEntity } from './access-review-item.entity';
import { reportCsv } from './access-review-report';

const item = (justification: string) =>
  ({
    id: '00000000-0000-4000-8000-000000000001',
    membershipId: '00000000-0000-4000-8000-000000000002',
    apiKeyId: null,
    roleAtStart: 'MEMBER',
    flags: ['NO_MFA'],
    decision: AccessReviewDecision.KEEP,
    newRole: null,
    justification,
    decidedAt: new Date('2026-12-01T10:00:00Z'),
  }) as unknown as AccessReviewItemEntity;

describe('access-review report CSV', () => {
  it('keeps a justification with line breaks in its one cell, so no line of it becomes a row of its own', () => {
    // No comma or quote, which would get the cell quoted anyway: the line breaks alone must.
    const justification = 'still needed\n=1+2\rand more';
    // Read as a spreadsheet reads it: any line break outside quotes ends a row.
    const rows = parse(reportCsv([{ item: item(justification), subjectType: 'Membership', subjectName: '=cmd|calc <a@example.test>', reviewerName: '@admin', outcome: 'kept' }]), { record_delimiter: ['\r\n', '\n', '\r'] });
    expect(rows).toHaveLength(2);
    const [header, row] = rows;
    expect(row[header.indexOf('justification')]).toBe(justification);
    // Cells that begin a formula are neutralised; the one above starts with plain text.
    expect(row[header.indexOf('subject')]).toBe("'=cmd|calc <a@example.test>");
    expect(row[header.indexOf('reviewer')]).toBe("'@admin");
  });
});
