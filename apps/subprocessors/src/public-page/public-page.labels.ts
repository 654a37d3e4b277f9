import type { TransferMechanism } from '../subprocessor/subprocessor.entity';
import type { PublicChangeKind, PublicChangeStatus } from './public-page.model';

/** Words for the page and the feed, where a reader should not need to know the graph's enum names. */
export const TRANSFER_MECHANISM_LABELS: Record<TransferMechanism, string> = {
  ADEQUACY_DECISION: 'Adequacy decision',
  SCC: 'Standard contractual clauses',
  BCR: 'Binding corporate rules',
  DEROGATION: 'Derogation (Art. 49 GDPR)',
  NOT_APPLICABLE: 'Not applicable',
};

export const CHANGE_KIND_LABELS: Record<PublicChangeKind, string> = {
  ADDED: 'Addition',
  UPDATED: 'Update',
  REMOVED: 'Removal',
};

export const CHANGE_STATUS_LABELS: Record<PublicChangeStatus, string> = {
  ANNOUNCED: 'announced',
  EFFECTIVE: 'in effect',
  CANCELLED: 'cancelled',
};

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });

/** "Germany (DE)": the code partners check against, with the name a reader knows. */
export const locationLabel = (code: string): string => {
  const name = regions.of(code);
  return name && name !== code ? `${name} (${code})` : code;
};

export const dateLabel = (at: Date): string => `${dateTime.format(at)} UTC`;
