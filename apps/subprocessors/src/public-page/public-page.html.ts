import { createHash } from 'node:crypto';
import { Eta } from 'eta';
import type { SubprocessorEntity } from '../subprocessor/subprocessor.entity';
import { CHANGE_KIND_LABELS, TRANSFER_MECHANISM_LABELS, dateLabel, locationLabel } from './public-page.labels';
import type { PublicRegisterView, PublicValidators } from './public-page.model';

/**
 * The page's only style, inline so the page is one request; the CSP admits it by hash and
 * nothing else. The page reads the same without it (tables, headings and lists carry the meaning).
 */
const STYLE = [
  'body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;max-width:72rem;padding:1rem;color:#1a1a1a;background:#fff}',
  'table{border-collapse:collapse;width:100%;margin-bottom:2rem}',
  'caption{text-align:left;font-weight:600;padding:.5rem 0}',
  'th,td{border:1px solid #767676;padding:.4rem .6rem;text-align:left;vertical-align:top}',
  'thead th{background:#f0f0f0}',
  'ul{margin:0;padding-left:1.1rem}',
  'a{color:#0b57d0}',
].join('');

/** The page's Content-Security-Policy: no script, no frame, no form, no fetch; the one style by hash. */
export const HTML_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Every `<%= %>` is HTML-escaped by eta (autoEscape); the template has no raw output (`<%~ %>`).
// The tenant's name, inline in running text, is isolated (<bdi>): a bidi override in it cannot reorder the sentence.
const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Subprocessors of <%= it.tenant.name %></title>
<link rel="alternate" type="application/atom+xml" title="Subprocessor changes of <%= it.tenant.name %> (Atom)" href="<%= it.links.atom %>">
<link rel="alternate" type="application/json" title="Subprocessor register of <%= it.tenant.name %> (JSON)" href="<%= it.links.json %>">
<style><%= it.style %></style>
</head>
<body>
<main>
<h1>Subprocessors of <bdi><%= it.tenant.name %></bdi></h1>
<p>The subprocessors that <bdi><%= it.tenant.name %></bdi> engages to process personal data, and the changes it has announced.
<% if (it.lastChanged) { %>Last changed <time datetime="<%= it.lastChanged.iso %>"><%= it.lastChanged.label %></time>.<% } else { %>No change has been announced yet.<% } %>
Follow changes with the <a href="<%= it.links.atom %>">Atom feed</a> or read the register as <a href="<%= it.links.json %>">JSON</a>.</p>

<section aria-labelledby="current-register">
<h2 id="current-register">Current subprocessors</h2>
<% if (it.entries.length === 0) { %>
<p>No subprocessors are in the register.</p>
<% } else { %>
<table>
<caption><%= it.entries.length %> <%= it.entries.length === 1 ? 'subprocessor' : 'subprocessors' %> in the register of <bdi><%= it.tenant.name %></bdi></caption>
<thead>
<tr><th scope="col">Name</th><th scope="col">Legal entity</th><th scope="col">Website</th><th scope="col">Purpose</th><th scope="col">Data categories</th><th scope="col">Locations</th><th scope="col">Transfer mechanism</th><th scope="col">Active since</th></tr>
</thead>
<tbody>
<% for (const entry of it.entries) { %>
<tr>
<th scope="row"><%= entry.name %></th>
<td><%= entry.legalEntity ?? '—' %></td>
<td><% if (entry.websiteHref) { %><a href="<%= entry.websiteHref %>" rel="nofollow noopener noreferrer"><%= entry.website %></a><% } else { %><%= entry.website ?? '—' %><% } %></td>
<td><%= entry.purpose %></td>
<td><ul><% for (const category of entry.dataCategories) { %><li><%= category %></li><% } %></ul></td>
<td><ul><% for (const location of entry.locations) { %><li><%= location %></li><% } %></ul></td>
<td><%= entry.transferMechanism %></td>
<td><% if (entry.activeFrom) { %><time datetime="<%= entry.activeFrom.iso %>"><%= entry.activeFrom.label %></time><% } else { %>—<% } %></td>
</tr>
<% } %>
</tbody>
</table>
<% } %>
</section>

<section aria-labelledby="upcoming-changes">
<h2 id="upcoming-changes">Upcoming changes</h2>
<% if (it.changes.length === 0) { %>
<p>No changes are announced.</p>
<% } else { %>
<table>
<caption>Announced changes not yet in effect, soonest first; objections are possible until the deadline</caption>
<thead>
<tr><th scope="col">Change</th><th scope="col">Subprocessor</th><th scope="col">Announced</th><th scope="col">Effective</th><th scope="col">Objection deadline</th></tr>
</thead>
<tbody>
<% for (const change of it.changes) { %>
<tr id="change-<%= change.id %>">
<td><%= change.kind %></td>
<th scope="row"><%= change.subprocessorName %></th>
<td><time datetime="<%= change.announcedAt.iso %>"><%= change.announcedAt.label %></time></td>
<td><time datetime="<%= change.effectiveAt.iso %>"><%= change.effectiveAt.label %></time></td>
<td><time datetime="<%= change.objectionDeadline.iso %>"><%= change.objectionDeadline.label %></time></td>
</tr>
<% } %>
</tbody>
</table>
<% } %>
</section>
</main>
</body>
</html>
`;

const eta = new Eta({ autoEscape: true, autoTrim: false, cache: true });
eta.loadTemplate('@page', TEMPLATE);

const moment = (at: Date) => ({ iso: at.toISOString(), label: dateLabel(at) });

/** Only an absolute http(s) URL becomes a link; anything else (the register validates, this does not trust) stays text. */
function linkable(website: string | null): string | null {
  if (!website || !URL.canParse(website)) return null;
  const { protocol } = new URL(website);
  return protocol === 'https:' || protocol === 'http:' ? website : null;
}

const entryView = (entry: SubprocessorEntity) => ({
  name: entry.name,
  legalEntity: entry.legalEntity,
  website: entry.website,
  websiteHref: linkable(entry.website),
  purpose: entry.purpose,
  dataCategories: entry.dataCategories,
  locations: entry.locations.map(locationLabel),
  transferMechanism: TRANSFER_MECHANISM_LABELS[entry.transferMechanism] ?? entry.transferMechanism,
  activeFrom: entry.activeFrom ? moment(entry.activeFrom) : null,
});

/** The register as an accessible HTML page: one h1, a section (h2) per part, captioned tables with scoped headers. */
export function renderRegisterHtml(register: PublicRegisterView, validators: PublicValidators): string {
  return eta.render('@page', {
    style: STYLE,
    tenant: register.tenant,
    // Relative: the page lives at /public/<slug>/subprocessors, its feeds beside it, behind any origin.
    links: { atom: 'subprocessors.atom', json: 'subprocessors.json' },
    lastChanged: validators.lastModified.getTime() > 0 ? moment(validators.lastModified) : null,
    entries: register.subprocessors.map(entryView),
    changes: register.upcomingChanges.map((change) => ({
      id: change.id,
      kind: CHANGE_KIND_LABELS[change.kind],
      subprocessorName: change.subprocessorName,
      announcedAt: moment(change.announcedAt),
      effectiveAt: moment(change.effectiveAt),
      objectionDeadline: moment(change.objectionDeadline),
    })),
  });
}
