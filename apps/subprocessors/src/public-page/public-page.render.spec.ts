import { createHash, randomUUID } from 'node:crypto';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SubprocessorEntity, SubprocessorStatus, TransferMechanism } from '../subprocessor/subprocessor.entity';
import { renderRegisterAtom } from './public-page.atom';
import { HTML_CSP, renderRegisterHtml } from './public-page.html';
import { maxAgeSeconds, registerJson, validatorsOf, type PublicChange, type PublicRegisterView } from './public-page.model';

const HOSTILE = `<script>alert("x")</script> & 'quoted' "double" ]]> \u202Eevil\u202C zwj\u200Dx 🧾 e\u0301`;
const XML_INVALID = 'bell\u0007 nonchar\uFFFF';

const entry = (overrides: Partial<SubprocessorEntity> = {}): SubprocessorEntity =>
  Object.assign(new SubprocessorEntity(), {
    id: randomUUID(),
    tenantId: randomUUID(),
    name: 'Acme Cloud',
    legalEntity: 'Acme Cloud GmbH',
    website: 'https://acme.example/',
    purpose: 'Hosting',
    dataCategories: ['Contact data', 'Usage data'],
    locations: ['DE', 'IE'],
    transferMechanism: TransferMechanism.SCC,
    status: SubprocessorStatus.ACTIVE,
    activeFrom: new Date('2026-11-01T09:00:00.000Z'),
    activeUntil: null,
    ...overrides,
  });

const change = (overrides: Partial<PublicChange> = {}): PublicChange => ({
  id: randomUUID(),
  kind: 'ADDED',
  status: 'ANNOUNCED',
  subprocessorId: randomUUID(),
  subprocessorName: 'Mailer Ltd',
  announcedAt: new Date('2026-12-01T10:00:00.000Z'),
  effectiveAt: new Date('2027-01-01T10:00:00.000Z'),
  objectionDeadline: new Date('2026-12-20T10:00:00.000Z'),
  updatedAt: new Date('2026-12-01T10:00:00.000Z'),
  before: null,
  after: {
    name: 'Mailer Ltd',
    legalEntity: null,
    website: null,
    purpose: 'E-mail delivery',
    dataCategories: ['Contact data'],
    locations: ['US'],
    transferMechanism: TransferMechanism.SCC,
  },
  ...overrides,
});

const register = (overrides: Partial<PublicRegisterView> = {}): PublicRegisterView => {
  const upcoming = change();
  return {
    tenant: { tenantId: randomUUID(), slug: 'acme', name: 'Acme Corp' },
    asOf: new Date('2026-12-04T01:00:00.000Z'),
    subprocessors: [entry()],
    upcomingChanges: [upcoming],
    announcements: [upcoming, change({ status: 'EFFECTIVE', updatedAt: new Date('2026-11-01T09:00:00.000Z'), subprocessorName: 'Acme Cloud' })],
    ...overrides,
  };
};

const URLS = { page: 'https://cg.example/public/acme/subprocessors', self: 'https://cg.example/public/acme/subprocessors.atom' };

describe('public register rendering', () => {
  it('escapes hostile entry text in the HTML: no element, attribute or script comes from data', () => {
    const hostile = register({
      tenant: { tenantId: randomUUID(), slug: 'acme', name: HOSTILE },
      subprocessors: [entry({ name: HOSTILE, purpose: HOSTILE, dataCategories: [HOSTILE], legalEntity: `"><img src=x onerror=alert(1)>` })],
      upcomingChanges: [change({ subprocessorName: HOSTILE })],
    });
    const html = renderRegisterHtml(hostile, validatorsOf(hostile));

    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(html).toContain('\u202Eevil\u202C zwj\u200Dx 🧾 e\u0301');
  });

  it('links only absolute http(s) websites; anything else stays text', () => {
    const odd = register({ subprocessors: [entry({ website: 'javascript:alert(1)' }), entry({ website: 'https://ok.example/a?b=1&c=2' })] });
    const html = renderRegisterHtml(odd, validatorsOf(odd));

    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<td>javascript:alert(1)</td>');
    expect(html).toContain('href="https://ok.example/a?b=1&amp;c=2"');
  });

  it('admits exactly its own inline style by hash and no script', () => {
    const html = renderRegisterHtml(register(), validatorsOf(register()));
    const style = /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? '';

    expect(HTML_CSP).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(HTML_CSP).toMatch(/default-src 'none'/);
    expect(HTML_CSP).not.toMatch(/script-src/);
  });

  it('builds well-formed Atom with hostile text escaped and XML-invalid characters replaced', () => {
    const hostile = register({ announcements: [change({ subprocessorName: `${HOSTILE} ${XML_INVALID}` })] });
    const xml = renderRegisterAtom(hostile, validatorsOf(hostile), URLS);
    const parsed = new XMLParser({ isArray: (name) => name === 'entry' }).parse(xml);
    const entryTitles = parsed.feed.entry.map((atomEntry: { title: string }) => atomEntry.title);

    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain('\u0007');
    expect(entryTitles).toEqual([`Addition: ${HOSTILE} bell\uFFFD nonchar\uFFFD (announced)`]);
    expect(parseFeed(xml).items[0].title).toBe(entryTitles[0]);
  });

  it('keeps the ETag over content, not over the moment of the request, and shortens max-age before a change takes effect', () => {
    const now = register();
    const later = { ...now, asOf: new Date(now.asOf.getTime() + 30_000) };
    const soon = { ...now, upcomingChanges: [change({ effectiveAt: new Date(now.asOf.getTime() + 12_500) })] };

    expect(validatorsOf(later).etag('.json')).toBe(validatorsOf(now).etag('.json'));
    expect(validatorsOf(now).etag('.json')).not.toBe(validatorsOf(now).etag('.atom'));
    expect(validatorsOf({ ...now, subprocessors: [entry()] }).etag('')).not.toBe(validatorsOf(now).etag(''));
    expect(maxAgeSeconds({ at: now.asOf, nextEffectiveAt: null })).toBe(60);
    expect(maxAgeSeconds({ at: now.asOf, nextEffectiveAt: soon.upcomingChanges[0].effectiveAt })).toBe(13);
    expect(maxAgeSeconds({ at: now.asOf, nextEffectiveAt: new Date(now.asOf.getTime() + 3_600_000) })).toBe(60);
    expect(validatorsOf(now).lastModified.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(validatorsOf(register({ announcements: [], upcomingChanges: [] })).lastModified.getTime()).toBe(0);
    expect(registerJson(later).asOf).toBe(later.asOf.toISOString());
  });
});
