/**
 * Escaping for text that comes from kernels, harnesses or config files (test ids, outputs, diffs,
 * reasons, reference names): it is untrusted, and a saved report may have been tampered with.
 */

/* eslint-disable no-control-regex -- matching control characters is the point here */
/**
 * Terminal escape sequences: CSI, OSC, DCS/SOS/PM/APC strings (an unterminated one ends at the
 * line), two-byte ESC codes, 8-bit CSI.
 */
const ESCAPE_SEQUENCE =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b\n\r\u2028\u2029]*(?:\x07|\x1b\\)?|[PX^_][^\x1b\n\r\u2028\u2029]*(?:\x1b\\)?|[ -/]*[0-~]?)|\x9b[0-?]*[ -/]*[@-~]?/g;
/** C0 except tab and line breaks, DEL, C1, and the bidi controls that can disguise text. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */
const LINE_BREAK = /\r\n|\r|\n|\u2028|\u2029/;

/** Removes escape sequences and control characters, keeping tabs and line breaks. */
export function stripControls(text: string): string {
  return String(text).replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** Lines of `text` without control characters; a lone `\r` counts as a line break (as in CommonMark). */
export function splitLines(text: string): string[] {
  return stripControls(text).split(LINE_BREAK);
}

/** For fields that are one line: line breaks become spaces. */
export function singleLine(text: string): string {
  return splitLines(text).join(' ');
}

/** Longest run of `char` in `text`. */
function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * Breaks what GitHub would turn into a link or a notification: `@user` mentions, `#12`,
 * `owner/repo#12` and `GH-12` references, bare URLs and e-mail addresses. A zero-width space does
 * it; entities would not, since GitHub matches the decoded text.
 */
function defuse(text: string): string {
  return text
    .replace(/[@#]/g, '$&\u200b')
    .replace(/\b(gh)-/gi, '$1\u200b-')
    .replace(/:(?=\/)/g, ':\u200b')
    .replace(/\b(www)\./gi, '$1\u200b.');
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Untrusted text in Markdown prose (paragraphs, headings, list items; never at the start of a
 * line): one line, no HTML, no emphasis, links, images, tables, math or strikethrough.
 */
export function inlineText(text: string): string {
  return defuse(singleLine(text)).replace(/[\\`*_[\]()!~|$#<>&]/g, (c) => ENTITIES[c] ?? `\\${c}`);
}

/** Untrusted text in an HTML context of the Markdown, e.g. inside `<summary>`: one line. */
export function htmlText(text: string): string {
  return defuse(singleLine(text)).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Untrusted text as a code span: the backtick fence is longer than any run inside. */
export function inlineCode(text: string): string {
  const content = singleLine(text);
  if (content === '') return '` `';
  const fence = '`'.repeat(longestRun(content, '`') + 1);
  // CommonMark strips one space from each side when both are there, and a backtick at an edge
  // would join the fence: pad in those cases so the content shows as it is.
  const pad = /^`|`$|^ .*[^ ].* $/.test(content) ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/**
 * Untrusted lines as a fenced code block. The fence is longer than any backtick run in the
 * content, so no content line can close it, and line breaks inside a "line" (including a lone
 * `\r`, which CommonMark treats as one) are split out before the fence length is chosen.
 */
export function codeBlock(lines: readonly string[], info = ''): string {
  const content = lines.flatMap((line) => splitLines(line));
  const fence = '`'.repeat(Math.max(3, longestRun(content.join('\n'), '`') + 1));
  return [fence + info, ...content, fence].join('\n');
}

/** A Markdown link to an http(s) URL or a plain relative path; anything else is shown as code. */
export function link(label: string, url: string): string {
  if (!/^(?:https?:\/\/[^\s]+|[\w./-]+)$/i.test(url)) return `${label} (${inlineCode(url)})`;
  const destination = url.replace(
    /[()<>\\`"'[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `[${label}](${destination})`;
}

/** Byte length as GitHub counts it. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes, cut at a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, Math.floor(maxBytes));
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** Replaces tabs with spaces up to the next multiple of `width` columns. */
export function expandTabs(line: string, width = 8): string {
  let column = 0;
  let out = '';
  for (const c of line) {
    if (c === '\t') {
      const spaces = width - (column % width);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += c;
      column++;
    }
  }
  return out;
}
