import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { q as inlineText, C as CLASS_ORDER, aa as classCount, p as singleLine } from './validate.js';

/**
 * Several reports side by side, one row per variant and a column per class: what `diverge demo`
 * prints and what a matrix build's combined comment shows.
 */
/** `same` plus every class some row has, most severe first. */
function columns(rows) {
    return CLASS_ORDER.filter((cls) => cls === 'same' || rows.some((row) => classCount(row.report.summary, cls) > 0));
}
const cell = (row, cls) => {
    const count = classCount(row.report.summary, cls);
    return count === 0 ? '·' : String(count);
};
function renderMatrixText(rows, noteTitle = '') {
    const classes = columns(rows);
    const header = ['variant', ...classes, 'conclusion', ...(noteTitle ? [noteTitle] : [])];
    const body = rows.map((row) => [
        singleLine(row.variant),
        ...classes.map((cls) => cell(row, cls)),
        singleLine(row.report.summary.conclusion),
        ...(noteTitle ? [singleLine(row.note ?? '')] : []),
    ]);
    const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)));
    // Counts right-aligned, words left-aligned.
    const format = (cells) => cells
        .map((text, i) => {
        const width = widths[i] ?? 0;
        return i > 0 && i <= classes.length ? text.padStart(width) : text.padEnd(width);
    })
        .join('  ')
        .trimEnd();
    return `${[format(header), ...body.map(format)].join('\n')}\n`;
}
function renderMatrixMarkdown(rows, noteTitle = '') {
    const classes = columns(rows);
    const header = ['variant', ...classes.map((c) => `\`${c}\``), 'conclusion'];
    if (noteTitle)
        header.push(inlineText(noteTitle));
    const align = header.map((_, i) => (i > 0 && i <= classes.length ? '--:' : ':--'));
    const lines = [`| ${header.join(' | ')} |`, `|${align.join('|')}|`];
    for (const row of rows) {
        const cells = [
            inlineText(row.variant),
            ...classes.map((cls) => cell(row, cls)),
            inlineText(row.report.summary.conclusion),
        ];
        if (noteTitle)
            cells.push(inlineText(row.note ?? ''));
        lines.push(`| ${cells.join(' | ')} |`);
    }
    return `${lines.join('\n')}\n`;
}

export { renderMatrixText as a, renderMatrixMarkdown as r };
