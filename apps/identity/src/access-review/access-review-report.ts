import { stringify } from 'csv-stringify/sync';
import type { AccessReviewItemEntity } from './access-review-item.entity';

/** What completion did with an item, as the report says it. */
export type ItemOutcome = 'kept' | 'kept (undecided)' | 'revoked' | 'role changed' | 'already revoked';

export interface ReportRow {
  item: AccessReviewItemEntity;
  subjectType: 'Membership' | 'ApiKey';
  subjectName: string;
  reviewerName: string | null;
  outcome: ItemOutcome;
}

const HEADER = [
  'item_id',
  'subject_type',
  'subject_id',
  'subject',
  'role_at_start',
  'flags',
  'decision',
  'new_role',
  'justification',
  'reviewer',
  'decided_at',
  'outcome',
];

/**
 * The report of a completed review: one row per item with its subject, role at the start,
 * flags, decision, new role, justification, reviewer, time and what completion did. Cells that a
 * spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR) are neutralised with a
 * leading quote (csv-stringify's escape_formulas): names and justifications are user text.
 */
export function reportCsv(rows: readonly ReportRow[]): string {
  return stringify(
    [
      HEADER,
      ...rows.map(({ item, subjectType, subjectName, reviewerName, outcome }) => [
        item.id,
        subjectType,
        item.membershipId ?? item.apiKeyId,
        subjectName,
        item.roleAtStart,
        [...item.flags].sort().join(' '),
        item.decision ?? '',
        item.newRole ?? '',
        item.justification ?? '',
        reviewerName ?? '',
        item.decidedAt?.toISOString() ?? '',
        outcome,
      ]),
    ],
    // With CRLF records csv-stringify quotes only fields holding CRLF itself: a lone LF or CR in a
    // justification would end the row for a spreadsheet and start the next with a cell of its
    // choosing (a formula escape_formulas never saw), so any line break is quoted.
    { escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ },
  );
}
