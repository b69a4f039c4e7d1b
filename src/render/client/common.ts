/**
 * What the scripts of both pages share: `el` builds elements whose text goes in through text
 * nodes, never as markup, and `show` makes control characters (NUL, bidi overrides, line breaks)
 * visible as ⟨U+XXXX⟩ instead of letting them act.
 */

/* eslint-disable no-control-regex -- matching control characters is the point here */
const CONTROL =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/** Text with its control characters shown as ⟨U+XXXX⟩. */
export function show(text: unknown): DocumentFragment {
  const s = String(text);
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of s.matchAll(CONTROL)) {
    if (m.index > last) frag.append(s.slice(last, m.index));
    const c = document.createElement('span');
    c.className = 'ctl';
    c.textContent =
      '\u27e8U+' + m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0') + '\u27e9';
    frag.append(c);
    last = m.index + m[0].length;
  }
  if (last < s.length) frag.append(s.slice(last));
  return frag;
}

/** A new element, with a class and text when given (a number is text too). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: unknown,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.append(show(text));
  return e;
}

/** The page's element with this id (its static markup has every id the script asks for). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** The page's data: the JSON of its `<script type="application/json" id="data">`. */
export const pageData = <T>(): T => JSON.parse($('data').textContent ?? 'null') as T;

/** The element an event happened in or under that matches `selector`. */
export function closest<T extends Element = HTMLElement>(event: Event, selector: string): T | null {
  return event.target instanceof Element ? event.target.closest<T>(selector) : null;
}

/** Only a relative link: never a scheme such as `javascript:`. */
export function setHref(a: HTMLAnchorElement, href: string | undefined): void {
  if (href !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(href)) a.href = href;
}
