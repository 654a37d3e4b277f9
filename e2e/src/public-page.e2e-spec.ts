import { statSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { parseFeed } from '@rowanmanning/feed-parser';
import type { Browser } from 'playwright-core';
import { signUp, unique, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { ARTIFACTS, CHROMIUM, chromiumInstalled, launchChromium } from './public-page-browser';
import { atomProblems } from './public-page-feeds';
import { startStack, type Stack } from './stack';

const PUBLIC_ORIGIN = 'https://trust.compliance.example';
/** Markup, quotes, a CDATA end, bidi overrides, a joiner, an emoji, a combining accent: text, never markup. */
const HOSTILE = `<script>alert("pwned")</script> & 'q' "qq" ]]> \u202Eevil\u202C zw\u200Dj 🧾 e\u0301`;

const entry = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  legalEntity: `${name} GmbH`,
  website: 'https://vendor.example/',
  purpose: 'Hosting of the platform',
  dataCategories: ['Contact data', 'Usage data'],
  locations: ['DE', 'IE'],
  transferMechanism: 'SCC',
  ...overrides,
});

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Without Chromium the browser test cannot run: locally it is skipped with a message; CI installs it, so there it must run.
if (!chromiumInstalled) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it before the tests`);
  console.warn(`public page browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}
const browserIt = chromiumInstalled ? it : it.skip;

describe('public subprocessor page and feeds through the gateway', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let hidden: AuthPayload;
  const changes: Record<string, string> = {};
  const page = (slug: string, suffix = '') => `${stack.gatewayUrl}/public/${slug}/subprocessors${suffix}`;

  async function announce(input: Record<string, unknown>): Promise<string> {
    const answer = await gql('mutation ($input: AnnounceChangeInput!) { announceSubprocessorChange(input: $input) { id } }', { input }, owner.accessToken);
    if (!answer.data?.announceSubprocessorChange) throw new Error(`announcement failed: ${JSON.stringify(answer.errors)}`);
    return answer.data.announceSubprocessorChange.id;
  }

  async function cancel(id: string): Promise<void> {
    const answer = await gql('mutation ($id: ID!) { cancelSubprocessorChange(id: $id, reason: "Not needed after all") { id } }', { id }, owner.accessToken);
    if (!answer.data?.cancelSubprocessorChange) throw new Error(`cancellation failed: ${JSON.stringify(answer.errors)}`);
  }

  async function settings(token: string, input: Record<string, unknown>): Promise<void> {
    const answer = await gql('mutation ($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { id } }', { input }, token);
    if (answer.errors) throw new Error(`settings failed: ${JSON.stringify(answer.errors)}`);
  }

  /** The JSON form, once `ready` holds of it (the directory caches tenant settings for a few seconds). */
  async function registerWhen(ready: (body: any) => boolean): Promise<any> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const answer = await fetch(page(owner.tenant.slug, '.json'));
      if (answer.status === 200) {
        const body = await answer.json();
        if (ready(body)) return body;
      }
      await sleep(100);
    }
    throw new Error('the public register never reached the expected state');
  }

  beforeAll(async () => {
    stack = await startStack({ PUBLIC_ORIGIN });
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Public');
    hidden = await signUp(gql, 'Hidden');
    await settings(owner.accessToken, { subprocessorNoticeDays: 0, publicSubprocessorPage: true });

    const soon = new Date(Date.now() + 1500).toISOString();
    changes.acme = await announce({ kind: 'ADDED', entry: entry('Acme Cloud'), effectiveAt: soon });
    changes.hostile = await announce({ kind: 'ADDED', entry: entry(HOSTILE, { purpose: HOSTILE, legalEntity: null }), effectiveAt: soon });
    changes.mailer = await announce({ kind: 'ADDED', entry: entry('Mailer Ltd', { locations: ['US'] }), effectiveAt: inDays(30) });
    changes.dropped = await announce({ kind: 'ADDED', entry: entry('Dropped Inc'), effectiveAt: inDays(40) });
    await cancel(changes.dropped);
    await registerWhen((body) => body.subprocessors.length === 2);
  });
  afterAll(() => stack?.stop());

  it('serves the JSON register: tenant, asOf, the current entries and the upcoming changes with their dates', async () => {
    const answer = await fetch(page(owner.tenant.slug, '.json'));
    const body: any = await answer.json();

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(body.tenant).toEqual({ slug: owner.tenant.slug, name: 'Public' });
    expect(Math.abs(Date.parse(body.asOf) - Date.now())).toBeLessThan(10_000);
    expect(body.subprocessors.map((s: { name: string }) => s.name).sort()).toEqual(['Acme Cloud', HOSTILE].sort());
    expect(body.subprocessors.find((s: { name: string }) => s.name === 'Acme Cloud')).toMatchObject({
      legalEntity: 'Acme Cloud GmbH',
      website: 'https://vendor.example/',
      purpose: 'Hosting of the platform',
      dataCategories: ['Contact data', 'Usage data'],
      locations: ['DE', 'IE'],
      transferMechanism: 'SCC',
      status: 'ACTIVE',
      activeFrom: expect.any(String),
    });
    expect(body.upcomingChanges).toEqual([
      expect.objectContaining({
        id: changes.mailer,
        kind: 'ADDED',
        status: 'ANNOUNCED',
        subprocessor: expect.objectContaining({ name: 'Mailer Ltd' }),
        effectiveAt: expect.any(String),
        objectionDeadline: expect.any(String),
      }),
    ]);
  });

  it('sends strict headers, validators and a short public max-age on every form', async () => {
    for (const [suffix, type] of [
      ['', 'text/html; charset=utf-8'],
      ['.json', 'application/json; charset=utf-8'],
      ['.atom', 'application/atom+xml; charset=utf-8'],
    ]) {
      const answer = await fetch(page(owner.tenant.slug, suffix));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(type);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(answer.headers.get('content-security-policy')).not.toMatch(/script-src/);
      expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=([1-5]?[0-9]|60)$/);
      expect(answer.headers.get('etag')).toMatch(/^W\/"[A-Za-z0-9_-]{43}"$/);
      expect(new Date(answer.headers.get('last-modified') ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);
    }
    // The page's own policy (its one style, by hash) reaches the browser: the gateway's allow-nothing default does not replace it.
    const html = await fetch(page(owner.tenant.slug));
    expect(html.headers.get('content-security-policy')).toMatch(/style-src 'sha256-[A-Za-z0-9+/]{43}='/);
  });

  it('answers 304 without a body to a matching If-None-Match or a current If-Modified-Since, and 200 otherwise', async () => {
    for (const suffix of ['', '.json', '.atom']) {
      const first = await fetch(page(owner.tenant.slug, suffix));
      const etag = first.headers.get('etag')!;
      const lastModified = first.headers.get('last-modified')!;

      const byTag = await fetch(page(owner.tenant.slug, suffix), { headers: { 'if-none-match': etag } });
      expect(byTag.status).toBe(304);
      expect(await byTag.text()).toBe('');
      expect(byTag.headers.get('etag')).toBe(etag);
      expect(byTag.headers.get('cache-control')).toMatch(/^public, max-age=/);

      expect((await fetch(page(owner.tenant.slug, suffix), { headers: { 'if-none-match': `"other", ${etag}` } })).status).toBe(304);
      expect((await fetch(page(owner.tenant.slug, suffix), { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      expect((await fetch(page(owner.tenant.slug, suffix), { headers: { 'if-modified-since': earlier } })).status).toBe(200);
      // If-None-Match decides when both are sent (RFC 9110 13.2.2): a stale tag is a 200 whatever the date says.
      const stale = await fetch(page(owner.tenant.slug, suffix), { headers: { 'if-none-match': 'W/"stale"', 'if-modified-since': lastModified } });
      expect(stale.status).toBe(200);
    }
  });

  it('answers the same 404, byte for byte, for a tenant without the page, an unknown tenant and malformed slugs', async () => {
    const slugs = [hidden.tenant.slug, `no-such-${unique()}`, 'UPPER', 'a'.repeat(300), '-dash', '%00', '%E2%80%AE', 'x%3Cscript%3E'];
    const answers = await Promise.all(
      slugs.flatMap((slug) =>
        ['', '.json', '.atom'].map(async (suffix) => {
          const answer = await fetch(page(slug, suffix));
          const headers = Object.fromEntries([...answer.headers].filter(([name]) => !['date', 'keep-alive', 'connection'].includes(name)));
          return { status: answer.status, headers, body: Buffer.from(await answer.arrayBuffer()).toString('base64') };
        }),
      ),
    );

    expect(answers[0].status).toBe(404);
    expect(JSON.parse(Buffer.from(answers[0].body, 'base64').toString())).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it('takes the page down once the tenant disables it, with that same 404', async () => {
    const unknown = await fetch(page(`no-such-${unique()}`));
    const unknownBody = await unknown.text();
    await settings(owner.accessToken, { publicSubprocessorPage: false });
    try {
      let answer = await fetch(page(owner.tenant.slug));
      for (let attempt = 0; answer.status !== 404 && attempt < 100; attempt += 1) {
        await sleep(100);
        answer = await fetch(page(owner.tenant.slug));
      }
      expect(answer.status).toBe(404);
      expect(await answer.text()).toBe(unknownBody);
    } finally {
      await settings(owner.accessToken, { publicSubprocessorPage: true });
      await registerWhen(() => true);
    }
  });

  it('serves an Atom 1.0 feed that a feed parser reads: one entry per change ever announced, stable ids, absolute links', async () => {
    const answer = await fetch(page(owner.tenant.slug, '.atom'));
    const xml = await answer.text();
    const feed = parseFeed(xml);

    expect(atomProblems(xml)).toEqual([]);
    // The checker does fail: a feed without its self link or with a repeated id is not Atom 1.0.
    expect(atomProblems(xml.replace(/<link rel="self"[^>]*\/>/, ''))).toContain('feed: needs one absolute rel="self" link');
    expect(atomProblems(xml.replaceAll(`urn:uuid:${changes.acme}`, `urn:uuid:${changes.mailer}`))).toContain('entries: ids repeat');

    expect(feed.meta.type).toBe('atom');
    expect(feed.self).toBe(`${PUBLIC_ORIGIN}/public/${owner.tenant.slug}/subprocessors.atom`);
    expect(feed.url).toBe(`${PUBLIC_ORIGIN}/public/${owner.tenant.slug}/subprocessors`);
    expect(feed.items.map((item) => item.id).sort()).toEqual(Object.values(changes).map((id) => `urn:uuid:${id}`).sort());
    const updated = feed.items.map((item) => item.updated!.getTime());
    expect(updated).toEqual([...updated].sort((a, b) => b - a));
    expect(feed.updated?.getTime()).toBe(updated[0] - (updated[0] % 1000));
    for (const item of feed.items) expect(item.url).toBe(`${PUBLIC_ORIGIN}/public/${owner.tenant.slug}/subprocessors`);
    const titles = Object.fromEntries(feed.items.map((item) => [item.id, item.title]));
    expect(titles[`urn:uuid:${changes.hostile}`]).toBe(`Addition: ${HOSTILE} (in effect)`);
    expect(titles[`urn:uuid:${changes.dropped}`]).toBe('Addition: Dropped Inc (cancelled)');
    expect(titles[`urn:uuid:${changes.mailer}`]).toBe('Addition: Mailer Ltd (announced)');
    expect(xml).not.toContain('<script');
    // A change in effect was last updated when it took effect: the moment its entry is active from.
    const register: any = await (await fetch(page(owner.tenant.slug, '.json'))).json();
    const acme = feed.items.find((item) => item.id === `urn:uuid:${changes.acme}`)!;
    expect(acme.updated?.toISOString()).toBe(register.subprocessors.find((s: { name: string }) => s.name === 'Acme Cloud').activeFrom);
    expect(acme.published!.getTime()).toBeLessThan(acme.updated!.getTime());
  });

  it("moves an entry's updated time, the validators and the page when its change is cancelled", async () => {
    const before = await fetch(page(owner.tenant.slug, '.atom'));
    const etag = before.headers.get('etag')!;
    const entryUpdated = (xml: string) => parseFeed(xml).items.find((item) => item.id === `urn:uuid:${changes.mailer}`)!.updated!.getTime();
    const updatedBefore = entryUpdated(await before.text());
    await sleep(1100);
    await cancel(changes.mailer);

    const after = await fetch(page(owner.tenant.slug, '.atom'), { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(entryUpdated(await after.text())).toBeGreaterThan(updatedBefore);
    expect(Date.parse(after.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(before.headers.get('last-modified')!));
    expect((await registerWhen(() => true)).upcomingChanges).toEqual([]);
    changes.mailerAgain = await announce({ kind: 'ADDED', entry: entry('Mailer Ltd', { locations: ['US'] }), effectiveAt: inDays(30) });
  });

  it('answers many readers at once with one and the same register', async () => {
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => fetch(page(owner.tenant.slug, ['', '.json', '.atom'][i % 3]))));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const tags = new Set(answers.map((answer, i) => `${i % 3}:${answer.headers.get('etag')}`));
    expect(tags.size).toBe(3);
  });

  describe('in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      if (chromiumInstalled) browser = await launchChromium();
    });
    afterAll(() => browser?.close());

    browserIt('renders the register and the upcoming changes without JavaScript, with hostile text as text, and takes a screenshot', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const tab = await context.newPage();
      const refused: string[] = [];
      tab.on('console', (message) => refused.push(message.text()));
      const answer = await tab.goto(page(owner.tenant.slug));

      expect(answer?.status()).toBe(200);
      expect(await tab.locator('html').getAttribute('lang')).toBe('en');
      expect(await tab.locator('h1').allTextContents()).toEqual(['Subprocessors of Public']);
      expect(await tab.locator('h2').allTextContents()).toEqual(['Current subprocessors', 'Upcoming changes']);
      const register = tab.locator('table', { has: tab.locator('caption', { hasText: 'in the register' }) });
      expect(await register.locator('thead th[scope="col"]').allTextContents()).toEqual([
        'Name',
        'Legal entity',
        'Website',
        'Purpose',
        'Data categories',
        'Locations',
        'Transfer mechanism',
        'Active since',
      ]);
      expect((await register.locator('tbody th[scope="row"]').allTextContents()).sort()).toEqual(['Acme Cloud', HOSTILE].sort());
      const acme = register.locator('tbody tr', { hasText: 'Acme Cloud' });
      expect(await acme.locator('td').allTextContents()).toEqual([
        'Acme Cloud GmbH',
        'https://vendor.example/',
        'Hosting of the platform',
        'Contact dataUsage data',
        'Germany (DE)Ireland (IE)',
        'Standard contractual clauses',
        expect.stringMatching(/^\d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC$|^\d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC$/),
      ]);
      expect(Date.parse((await acme.locator('time').getAttribute('datetime'))!)).toBeGreaterThan(Date.now() - 120_000);
      const upcoming = tab.locator('table', { has: tab.locator('caption', { hasText: 'not yet in effect' }) });
      expect(await upcoming.locator('tbody th[scope="row"]').allTextContents()).toEqual(['Mailer Ltd']);
      expect(await upcoming.locator('tbody tr time').count()).toBe(3);
      // Hostile text is text: no script element exists, and the page ran none.
      expect(await tab.locator('script').count()).toBe(0);
      expect(await tab.locator('tbody th', { hasText: 'pwned' }).textContent()).toBe(HOSTILE);
      expect(refused.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);

      const screenshot = join(ARTIFACTS, 'public-subprocessor-page.png');
      await tab.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      await context.close();
    });

    browserIt('has no serious or critical accessibility violations (axe-core)', async () => {
      // axe runs as script in the page, so this context allows it (the page itself has none).
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(page(owner.tenant.slug));
      const axe = await new AxeBuilder({ page: tab }).analyze();
      const serious = axe.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');

      expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
      expect(axe.passes.map((rule) => rule.id)).toEqual(expect.arrayContaining(['html-has-lang', 'page-has-heading-one', 'th-has-data-cells', 'color-contrast']));
      await context.close();
    });
  });
});
