/**
 * The shell of diverge's HTML pages (report.html, gradebook.html): one self-contained file whose
 * Content-Security-Policy loads nothing and runs only the page's own script and style (allowed
 * by their hashes), with the data as JSON inside a non-executed script element. Everything
 * untrusted travels in that JSON and reaches the DOM through textContent only.
 */
import { createHash } from 'node:crypto';
import { CLASSES, type DivergenceClass, type SEVERITIES } from '../model/classes.js';
import { singleLine } from './escape.js';

/** The pages' colour of each severity of the class table. */
const SEVERITY_COLOURS: Record<keyof typeof SEVERITIES, string> = {
  error: '#cf222e',
  warning: '#bf8700',
  notice: '#0969da',
  none: '#8c959f',
};

/**
 * A class's colour, from its severity in the class table; `same` is green. A class the table
 * does not know (a tampered report's) is as loud as an error.
 */
export function classColour(cls: string): string {
  if (cls === 'same') return '#2da44e';
  const rule = Object.hasOwn(CLASSES, cls) ? CLASSES[cls as DivergenceClass] : undefined;
  return SEVERITY_COLOURS[rule?.severity ?? 'error'];
}

export interface PageParts {
  /** Plain text; escaped here. */
  title: string;
  css: string;
  /**
   * The page's only script (html-scripts.ts, built from client/); it reads its data with
   * `JSON.parse(#data.textContent)`.
   */
  script: string;
  data: unknown;
  /** Static markup of the page's body (no untrusted text). */
  body: string;
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * JSON that cannot leave its script element: `<`, `>` and `&` escaped (no `</script>` or
 * `<!--`), and U+2028/U+2029 too, which some parsers take for line ends.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);

/** The policy: nothing may load; only this script and this style run; no base, no forms. */
export function contentSecurityPolicy(script: string, css: string): string {
  return [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(css)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function htmlPage(parts: PageParts): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(parts.script, parts.css)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(singleLine(parts.title))}</title>`,
    `<style>${parts.css}</style>`,
    '</head>',
    '<body>',
    parts.body,
    `<script type="application/json" id="data">${scriptJson(parts.data)}</script>`,
    `<script>${parts.script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
