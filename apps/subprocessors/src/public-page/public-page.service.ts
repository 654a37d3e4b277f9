import type { DataSource } from 'typeorm';
import { withTenant } from '@compliance-graph/db';
import { SubprocessorChangeStatus, type SubprocessorChangeEntity } from '../change/change.entity';
import type { Clock } from '../clock';
import type { IdentityDirectory } from '../identity-directory/identity-directory';
import type { RegisterService } from '../register/register.service';
import type { PublicChange, PublicRegisterState, PublicRegisterView } from './public-page.model';
import { latestChanges, registerVersion } from './public-page.store';

/** How many changes the Atom feed carries, newest status change first: enough for any reader polling now and then. */
export const FEED_ENTRY_LIMIT = 100;

/**
 * Identity's slug rule (lowercase letters, digits, inner '-'; 1-63 characters): anything else
 * cannot name a tenant, so it is answered without asking identity (and without filling its cache).
 */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A change as the public sees it at `at`. A change takes effect at its effectiveAt (the register
 * computed for `at` already shows it), so one the scheduler has yet to mark is shown in effect too.
 */
function publicChange(change: SubprocessorChangeEntity, at: Date): PublicChange {
  const inEffect = change.effectiveAt.getTime() <= at.getTime();
  return {
    id: change.id,
    kind: change.kind,
    status: change.status === SubprocessorChangeStatus.ANNOUNCED && inEffect ? SubprocessorChangeStatus.EFFECTIVE : change.status,
    subprocessorId: change.subprocessorId,
    // ADDED and UPDATED carry the entry after the change, REMOVED the entry it removes (a table check holds one of them).
    subprocessorName: (change.after ?? change.before)!.name,
    announcedAt: change.announcedAt,
    effectiveAt: change.effectiveAt,
    objectionDeadline: change.objectionDeadline,
    updatedAt: change.cancelledAt ?? (inEffect ? change.effectiveAt : change.announcedAt),
    before: change.before,
    after: change.after,
  };
}

/** A tenant's public register by slug, read without a principal: only for a tenant that enabled its public page. */
export class PublicPageService {
  constructor(
    private readonly db: DataSource,
    private readonly directory: Pick<IdentityDirectory, 'tenantBySlug'>,
    private readonly register: Pick<RegisterService, 'publicRegister'>,
    private readonly clock: Clock,
  ) {}

  /**
   * Where a slug's public register stands now, cheaply (the directory's cached settings and one
   * aggregate): null for a slug with no public page (malformed, unknown, or not enabled: one
   * answer). Its `version` names the content: the same version, the same page and feeds.
   */
  async stateOf(slug: string): Promise<PublicRegisterState | null> {
    if (!SLUG.test(slug)) return null;
    const settings = await this.directory.tenantBySlug(slug);
    if (!settings?.publicSubprocessorPage) return null;
    const at = this.clock();
    const tenant = { tenantId: settings.tenantId, slug: settings.slug, name: settings.name };
    const version = await withTenant(this.db, tenant.tenantId, (tx) => registerVersion(tx, at));
    return { tenant, at, version: JSON.stringify([tenant, version.changes, version.cancelled, version.inEffect]), nextEffectiveAt: version.nextEffectiveAt };
  }

  /** The register and its changes as the page and the feeds show them at the state's moment. */
  async read({ tenant, at }: PublicRegisterState): Promise<PublicRegisterView> {
    const [current, latest] = await Promise.all([
      this.register.publicRegister(tenant.tenantId, at),
      withTenant(this.db, tenant.tenantId, (tx) => latestChanges(tx, at, FEED_ENTRY_LIMIT)),
    ]);
    return {
      tenant,
      asOf: at,
      subprocessors: current.subprocessors,
      // publicRegister lists every ANNOUNCED change; one whose time has come is in the register already.
      upcomingChanges: current.upcomingChanges
        .filter((change) => change.effectiveAt.getTime() > at.getTime())
        .map((change) => publicChange(change, at)),
      announcements: latest.map((change) => publicChange(change, at)),
    };
  }
}
