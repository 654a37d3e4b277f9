import { XMLParser, XMLValidator } from 'fast-xml-parser';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
/** RFC 3339 date-time, as RFC 4287 3.3 requires of every date construct. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** Anything outside XML 1.0's Char production (section 2.2). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

type Element = Record<string, any>;
const many = (value: unknown): Element[] => (value === undefined ? [] : Array.isArray(value) ? value : [value as Element]);
const text = (element: unknown): string | undefined => (typeof element === 'object' && element !== null ? (element as Element)['#text'] : (element as string | undefined));
const absoluteIri = (value: string | undefined) => !!value && URL.canParse(value) && /^[a-z][a-z0-9+.-]*:/i.test(value);

function checkCommon(where: string, element: Element, problems: string[]): void {
  const ids = many(element.id);
  if (ids.length !== 1 || !absoluteIri(text(ids[0]))) problems.push(`${where}: needs exactly one atom:id that is an absolute IRI`);
  if (many(element.title).length !== 1) problems.push(`${where}: needs exactly one atom:title`);
  const updated = many(element.updated);
  if (updated.length !== 1 || !RFC3339.test(text(updated[0]) ?? '')) problems.push(`${where}: needs exactly one atom:updated in RFC 3339`);
  for (const published of many(element.published)) if (!RFC3339.test(text(published) ?? '')) problems.push(`${where}: atom:published is not RFC 3339`);
  for (const link of many(element.link)) if (!link['@_href']) problems.push(`${where}: atom:link without href`);
  const alternates = many(element.link).filter((link) => (link['@_rel'] ?? 'alternate') === 'alternate');
  const alternateKeys = alternates.map((link) => `${link['@_type'] ?? ''}|${link['@_hreflang'] ?? ''}`);
  if (new Set(alternateKeys).size !== alternateKeys.length) problems.push(`${where}: two alternate links of one type and hreflang`);
}

/**
 * The RFC 4287 (Atom 1.0) rules a feed reader depends on, checked on a strict parse: well-formed
 * XML 1.0, the Atom namespace, on the feed and each entry exactly one id (absolute IRI), title and
 * updated (RFC 3339), an author for the feed, a self link, an alternate link or content per entry,
 * unique entry ids. Returns the problems found; none for a valid feed.
 */
export function atomProblems(xml: string): string[] {
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) return [`not well-formed XML: ${wellFormed.err.msg}`];
  if (NOT_XML_CHAR.test(xml)) return ['a character XML 1.0 does not allow'];
  const feed: Element | undefined = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false }).parse(xml).feed;
  if (!feed) return ['the document element is not atom:feed'];
  const problems: string[] = [];
  if (feed['@_xmlns'] !== ATOM_NS) problems.push(`feed: not in the Atom namespace (${feed['@_xmlns']})`);
  checkCommon('feed', feed, problems);
  const entries = many(feed.entry);
  const authored = (element: Element) => many(element.author).some((author) => typeof author.name === 'string' && author.name.length > 0);
  if (!authored(feed) && !entries.every(authored)) problems.push('feed: needs an atom:author (or one in every entry)');
  const selfLinks = many(feed.link).filter((link) => link['@_rel'] === 'self');
  if (selfLinks.length !== 1 || !absoluteIri(selfLinks[0]['@_href'])) problems.push('feed: needs one absolute rel="self" link');
  entries.forEach((entry, index) => {
    checkCommon(`entry ${index}`, entry, problems);
    const hasAlternate = many(entry.link).some((link) => (link['@_rel'] ?? 'alternate') === 'alternate');
    if (!hasAlternate && entry.content === undefined) problems.push(`entry ${index}: needs a rel="alternate" link or atom:content`);
  });
  const ids = entries.map((entry) => text(many(entry.id)[0]));
  if (new Set(ids).size !== ids.length) problems.push('entries: ids repeat');
  return problems;
}
