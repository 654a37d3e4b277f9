import { badUserInput } from '@compliance-graph/auth';

export const FILE_NAME_HEADER = 'x-file-name';
const MAX_FILE_NAME_BYTES = 255;
const MAX_CONTENT_TYPE_LENGTH = 255;

/** A header's bytes arrive as latin1: only printable ASCII has one meaning, the rest is percent-encoded. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** C0 controls, DEL and C1 controls: never part of a file name anyone means. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;.*)?$`);

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value);

/**
 * The `X-File-Name` header: the file name as percent-encoded UTF-8 (`Pr%C3%BCfbericht.pdf`;
 * ASCII names need no encoding, a literal `%` is `%25`). HTTP headers carry latin1, so raw
 * bytes outside printable ASCII are refused rather than guessed at. The decoded name is a
 * single path segment a person would type: not empty, `.` or `..`, no `/` or `\`, no control
 * character, at most 255 bytes of UTF-8.
 */
export function parseFileName(header: string | string[] | undefined): string {
  const raw = single(header);
  if (raw === undefined || raw === '') throw badUserInput('X-File-Name is required (percent-encoded UTF-8)');
  if (!PRINTABLE_ASCII.test(raw)) throw badUserInput('X-File-Name must be percent-encoded UTF-8 (printable ASCII only)');
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw badUserInput('X-File-Name is not valid percent-encoded UTF-8');
  }
  if (name === '' || name === '.' || name === '..') throw badUserInput('X-File-Name must name a file');
  if (/[/\\]/.test(name)) throw badUserInput('X-File-Name must not contain / or \\');
  if (CONTROL_CHARACTER.test(name)) throw badUserInput('X-File-Name must not contain control characters');
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) throw badUserInput(`X-File-Name must be at most ${MAX_FILE_NAME_BYTES} bytes of UTF-8`);
  return name;
}

/** The `Content-Type` header, a media type (`application/pdf; charset=…`), kept as sent. */
export function parseContentType(header: string | undefined): string {
  const value = header?.trim();
  if (!value) throw badUserInput('Content-Type is required');
  if (value.length > MAX_CONTENT_TYPE_LENGTH || !PRINTABLE_ASCII.test(value) || !MEDIA_TYPE.test(value)) {
    throw badUserInput(`Content-Type must be a media type of at most ${MAX_CONTENT_TYPE_LENGTH} characters`);
  }
  return value;
}
