/**
 * Repository archives the way GitHub's tarball endpoint serves them: a gzipped tar whose entries
 * sit under one `<owner>-<repo>-<short sha>/` directory, after a pax global header carrying the
 * commit. Entries may be links or carry hostile names, for tests of the reading side.
 */
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export type TarEntry =
  | { name: string; content: Buffer | string; mode?: number }
  | { name: string; symlink: string }
  | { name: string; hardlink: string }
  /** Taken as is, not under the top directory: `../escape`, `/etc/x`. */
  | { raw: string; content: Buffer | string };

export async function repoTarball(
  fullName: string,
  sha: string,
  entries: readonly TarEntry[],
): Promise<Buffer> {
  const pack = tar.pack();
  const top = `${fullName.replace('/', '-')}-${sha.slice(0, 7)}/`;
  const done = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  })();
  const mtime = new Date('2024-01-01T00:00:00Z');
  pack.entry({ name: top, type: 'directory', mode: 0o755, mtime });
  for (const entry of entries) {
    if ('raw' in entry) pack.entry({ name: entry.raw, mtime }, Buffer.from(entry.content));
    else if ('symlink' in entry)
      pack.entry({ name: top + entry.name, type: 'symlink', linkname: entry.symlink, mtime });
    else if ('hardlink' in entry)
      pack.entry({ name: top + entry.name, type: 'link', linkname: entry.hardlink, mtime });
    else
      pack.entry(
        { name: top + entry.name, mode: entry.mode ?? 0o644, mtime },
        Buffer.from(entry.content),
      );
  }
  pack.finalize();
  return gzipSync(Buffer.concat([paxGlobalHeader({ comment: sha }), await done]));
}

/** A pax global header block (typeflag `g`), which tar-stream reads but does not write. */
function paxGlobalHeader(records: Record<string, string>): Buffer {
  const body = Buffer.from(
    Object.entries(records)
      .map(([key, value]) => {
        const line = ` ${key}=${value}\n`;
        // The length field counts itself: grow it until it does.
        let length = line.length;
        while (String(length).length + line.length !== length)
          length = String(length).length + line.length;
        return `${length}${line}`;
      })
      .join(''),
  );
  const header = Buffer.alloc(512);
  const field = (offset: number, size: number, value: string) =>
    header.write(value, offset, size, 'ascii');
  const octal = (n: number, size: number) => n.toString(8).padStart(size - 1, '0');
  field(0, 100, 'pax_global_header');
  field(100, 8, octal(0o666, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(body.length, 12));
  field(136, 12, octal(0, 12));
  field(156, 1, 'g');
  field(257, 6, 'ustar');
  field(263, 2, '00');
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, padding]);
}
