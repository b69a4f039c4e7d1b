// Renders a pull-request comment (Markdown, as diverge posts it) the way a person sees it, with
// headless Chromium, into a PNG for the README: node scripts/render-comment.mjs COMMENT.md OUT.png
// The diff blocks of the comment are opened, so the picture shows what a click would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import MarkdownIt from 'markdown-it';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: render-comment.mjs COMMENT.md OUT.png');
  process.exit(2);
}
const markdown = readFileSync(input, 'utf8');
// GitHub-flavoured: tables, and the raw <details> HTML diverge writes around diffs.
const body = new MarkdownIt({ html: true })
  .render(markdown)
  .replaceAll('<details>', '<details open>')
  // Colour diff lines as GitHub does.
  .replace(
    /<code class="language-diff">([^]*?)<\/code>/g,
    (_, code) =>
      `<code>${code
        .split('\n')
        .map((line) =>
          line.startsWith('+')
            ? `<span class="add">${line}</span>`
            : line.startsWith('-')
              ? `<span class="del">${line}</span>`
              : line,
        )
        .join('\n')}</code>`,
  );
const html = `<!doctype html><meta charset="utf-8"><style>
body { font: 14px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328;
  margin: 0; padding: 16px; background: #fff; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; max-width: 880px; }
.header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px;
  border-radius: 6px 6px 0 0; color: #59636e; }
.header b { color: #1f2328; }
.markdown { padding: 8px 16px 16px; }
h3 { font-size: 1.25em; margin: 16px 0 8px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d1d9e0; padding: 4px 12px; }
tr:nth-child(2n) { background: #f6f8fa; }
code { font: 12px "DejaVu Sans Mono", monospace; background: #eff1f3; padding: 2px 4px;
  border-radius: 4px; }
pre { background: #f6f8fa; padding: 12px; border-radius: 6px; overflow: hidden; }
pre code { background: none; padding: 0; }
.add { background: #dafbe1; display: inline-block; width: 100%; }
.del { background: #ffebe9; display: inline-block; width: 100%; }
summary { cursor: pointer; color: #0969da; }
</style><div class="comment"><div class="header"><b>github-actions</b> bot commented</div>
<div class="markdown">${body}</div></div>`;
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-comment-'));
writeFileSync(path.join(dir, 'comment.html'), html);
execFileSync(
  'chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--screenshot=${path.resolve(output)}`,
    '--window-size=920,1500',
    `file://${path.join(dir, 'comment.html')}`,
  ],
  { stdio: 'ignore' },
);
console.log(`wrote ${output}`);
