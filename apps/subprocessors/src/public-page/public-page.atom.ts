import { create } from 'xmlbuilder2';
import { CHANGE_KIND_LABELS, CHANGE_STATUS_LABELS, dateLabel } from './public-page.labels';
import type { PublicChange, PublicRegisterView, PublicValidators } from './public-page.model';

const ATOM_NS = 'http://www.w3.org/2005/Atom';

/** Where the feed and the page are published, for the feed's absolute links. */
export interface FeedUrls {
  page: string;
  self: string;
}

function summary(change: PublicChange): string {
  const deadline = change.status === 'ANNOUNCED' ? ` Objections are possible until ${dateLabel(change.objectionDeadline)}.` : '';
  return (
    `${CHANGE_KIND_LABELS[change.kind]} of ${change.subprocessorName}, announced ${dateLabel(change.announcedAt)}, ` +
    `effective ${dateLabel(change.effectiveAt)}: ${CHANGE_STATUS_LABELS[change.status]}.${deadline}`
  );
}

/**
 * The register's changes as an Atom 1.0 feed (RFC 4287): one entry per announced change, its id
 * the change's (stable), its `updated` the change's last status change (so a reader sees an entry
 * again when the change takes effect or is cancelled), `published` its announcement. Text is
 * escaped by the builder; characters XML 1.0 cannot carry become U+FFFD.
 */
export function renderRegisterAtom(register: PublicRegisterView, validators: PublicValidators, urls: FeedUrls): string {
  const feed = create({ version: '1.0', encoding: 'utf-8', invalidCharReplacement: '\uFFFD' }).ele(ATOM_NS, 'feed');
  feed.ele('id').txt(`urn:uuid:${register.tenant.tenantId}`);
  feed.ele('title', { type: 'text' }).txt(`Subprocessor changes of ${register.tenant.name}`);
  feed.ele('updated').txt(validators.lastModified.toISOString());
  feed.ele('author').ele('name').txt(register.tenant.name);
  feed.ele('link', { rel: 'self', type: 'application/atom+xml', href: urls.self });
  feed.ele('link', { rel: 'alternate', type: 'text/html', href: urls.page });
  for (const change of register.announcements) {
    const entry = feed.ele('entry');
    entry.ele('id').txt(`urn:uuid:${change.id}`);
    entry.ele('title', { type: 'text' }).txt(`${CHANGE_KIND_LABELS[change.kind]}: ${change.subprocessorName} (${CHANGE_STATUS_LABELS[change.status]})`);
    entry.ele('updated').txt(change.updatedAt.toISOString());
    entry.ele('published').txt(change.announcedAt.toISOString());
    entry.ele('link', { rel: 'alternate', type: 'text/html', href: urls.page });
    entry.ele('category', { term: change.status, label: CHANGE_STATUS_LABELS[change.status] });
    entry.ele('summary', { type: 'text' }).txt(summary(change));
  }
  return feed.end({ prettyPrint: true });
}
