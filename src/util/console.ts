import { StringDecoder } from 'node:string_decoder';
import stripAnsi from 'strip-ansi';

/** Longest line kept whole; kernel output is untrusted and a line may never end. */
export const MAX_LINE_CHARS = 16 * 1024;

// C0 controls and DEL other than tab; CR and LF are line ends and handled before this.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Makes one raw console line safe to parse and show: no escapes, no control bytes. */
export function cleanLine(raw: string): string {
  const text = stripAnsi(raw).replace(CONTROL, '');
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…[line cut]` : text;
}

/**
 * Splits a serial byte stream into clean text lines. CRLF, LF and a lone CR each end a line
 * (progress output and some kernels use CR only); invalid UTF-8 becomes U+FFFD.
 */
export class ConsoleLines {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private lastWasCR = false;

  /** Returns the lines completed by this chunk. */
  push(chunk: Buffer): string[] {
    return this.split(this.decoder.write(chunk));
  }

  /** Flushes the last, unterminated line. */
  end(): string[] {
    const lines = this.split(this.decoder.end());
    if (this.pending.length > 0) lines.push(cleanLine(this.pending));
    this.pending = '';
    return lines;
  }

  /** The unterminated tail, for matching prompts that never end in a newline. */
  get partial(): string {
    return cleanLine(this.pending);
  }

  private split(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 && this.lastWasCR && i === start && this.pending === '') {
        // LF of a CRLF whose CR already ended the line.
        start = i + 1;
        this.lastWasCR = false;
        continue;
      }
      if (ch === 10 || ch === 13) {
        lines.push(cleanLine(this.pending + text.slice(start, i)));
        this.pending = '';
        start = i + 1;
        this.lastWasCR = ch === 13;
      } else {
        this.lastWasCR = false;
      }
    }
    this.pending += text.slice(start);
    // Bound memory for a line that never ends: keep its head; cleanLine marks the cut.
    if (this.pending.length > MAX_LINE_CHARS * 2)
      this.pending = this.pending.slice(0, MAX_LINE_CHARS * 2);
    return lines;
  }
}

/** All clean lines of a complete capture. */
export function consoleLines(data: Buffer): string[] {
  const splitter = new ConsoleLines();
  return [...splitter.push(data), ...splitter.end()];
}

/** Cleans a chunk of console text but keeps its line structure (for matching prompts). */
export function cleanText(text: string): string {
  return stripAnsi(text.replace(/\r*\n|\r/g, '\n'))
    .replace(CONTROL, '')
    .replace(/\uFFFD/g, '');
}

// An escape sequence still open at the end of a chunk: ESC, maybe `[` or `]`, parameters.
// eslint-disable-next-line no-control-regex
const OPEN_ESCAPE = /\u001b(?:\[[0-9;?]*|\][^\u0007\u001b]*)?$/;

/**
 * Console text as it arrives, cleaned chunk by chunk for prompt matching. An escape sequence
 * split between two reads (shells query the cursor with ESC [6n) is held back until complete,
 * so no half of it is left in the text.
 */
export class ConsoleText {
  private readonly decoder = new StringDecoder('utf8');
  private held = '';

  push(chunk: Buffer): string {
    let text = this.held + this.decoder.write(chunk);
    // A trailing CR may be the first half of CRLF (or of the CR CR LF some shells print).
    const open = OPEN_ESCAPE.exec(text) ?? /\r+$/.exec(text);
    this.held = open && open[0].length < 256 ? open[0] : '';
    if (this.held) text = text.slice(0, -this.held.length);
    return cleanText(text);
  }
}
