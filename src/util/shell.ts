/** `text` as one word of a POSIX shell: single-quoted, each `'` closed, escaped and reopened. */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
