import { createHash } from 'node:crypto';
import type { SubprocessorEntity, SubprocessorFields } from '../subprocessor/subprocessor.entity';

export type PublicChangeKind = 'ADDED' | 'UPDATED' | 'REMOVED';
export type PublicChangeStatus = 'ANNOUNCED' | 'EFFECTIVE' | 'CANCELLED';

/** An announced change as the public sees it (no objections: those are between partner and tenant). */
export interface PublicChange {
  id: string;
  kind: PublicChangeKind;
  status: PublicChangeStatus;
  subprocessorId: string;
  subprocessorName: string;
  announcedAt: Date;
  effectiveAt: Date;
  objectionDeadline: Date;
  /** When the change last changed status: its cancellation, its effective time once come, else its announcement. */
  updatedAt: Date;
  before: SubprocessorFields | null;
  after: SubprocessorFields | null;
}

/** Everything the page and both feeds show of one tenant's register, read at `asOf`. */
export interface PublicRegisterView {
  tenant: { tenantId: string; slug: string; name: string };
  asOf: Date;
  subprocessors: SubprocessorEntity[];
  /** Announced, not yet effective changes, soonest first. */
  upcomingChanges: PublicChange[];
  /** Every change ever announced, cancelled and effective ones included, latest status change first (bounded): the Atom entries. */
  announcements: PublicChange[];
}

/** Where a tenant's public register stands at `at`: `version` is the same exactly while its content is. */
export interface PublicRegisterState {
  tenant: PublicRegisterView['tenant'];
  at: Date;
  version: string;
  /** When the next announced change takes effect (and the version moves on). */
  nextEffectiveAt: Date | null;
}

/** The register's HTTP validators: the same for the HTML, JSON and Atom forms (each adds its format to the ETag). */
export interface PublicValidators {
  /** A weak ETag: the content is what it identifies, not the bytes (the JSON form carries its `asOf`). */
  etag: (format: string) => string;
  /** The latest status change of any announced change, to the second; the epoch for a register never changed. */
  lastModified: Date;
}

export const MAX_AGE_SECONDS = 60;

/** Seconds a response may be reused: the usual short time, less when an upcoming change takes effect sooner. */
export const maxAgeSeconds = (state: Pick<PublicRegisterState, 'at' | 'nextEffectiveAt'>) =>
  state.nextEffectiveAt ? Math.min(MAX_AGE_SECONDS, Math.max(0, Math.ceil((state.nextEffectiveAt.getTime() - state.at.getTime()) / 1000))) : MAX_AGE_SECONDS;

export function validatorsOf(register: PublicRegisterView): PublicValidators {
  const content = JSON.stringify({
    tenant: register.tenant,
    subprocessors: register.subprocessors,
    upcomingChanges: register.upcomingChanges,
    announcements: register.announcements,
  });
  const latest = Math.max(0, ...register.announcements.map((change) => change.updatedAt.getTime()));
  return {
    etag: (format) => `W/"${createHash('sha256').update(format).update('\n').update(content).digest('base64url')}"`,
    lastModified: new Date(Math.floor(latest / 1000) * 1000),
  };
}

/** The entry fields the public sees, as the graph names them. */
export const publicEntry = (entry: SubprocessorEntity) => ({
  id: entry.id,
  name: entry.name,
  legalEntity: entry.legalEntity,
  website: entry.website,
  purpose: entry.purpose,
  dataCategories: entry.dataCategories,
  locations: entry.locations,
  transferMechanism: entry.transferMechanism,
  status: entry.status,
  activeFrom: entry.activeFrom?.toISOString() ?? null,
  activeUntil: entry.activeUntil?.toISOString() ?? null,
});

/** The JSON form: the contract's `{"tenant", "asOf", "subprocessors", "upcomingChanges"}`. */
export function registerJson(register: PublicRegisterView) {
  return {
    tenant: { slug: register.tenant.slug, name: register.tenant.name },
    asOf: register.asOf.toISOString(),
    subprocessors: register.subprocessors.map(publicEntry),
    upcomingChanges: register.upcomingChanges.map((change) => ({
      id: change.id,
      kind: change.kind,
      status: change.status,
      subprocessor: { id: change.subprocessorId, name: change.subprocessorName },
      announcedAt: change.announcedAt.toISOString(),
      effectiveAt: change.effectiveAt.toISOString(),
      objectionDeadline: change.objectionDeadline.toISOString(),
      before: change.before,
      after: change.after,
    })),
  };
}
