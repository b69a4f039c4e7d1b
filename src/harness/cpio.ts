/**
 * A cpio "newc" archive writer, the format Linux unpacks as an initramfs. Output is
 * deterministic: entries are written in the given order with fixed inode numbers, owner root and
 * mtime 0, so the same tree always gives the same bytes (and digest).
 */
export type CpioEntry =
  | { kind: 'dir'; path: string; mode: number }
  | { kind: 'file'; path: string; mode: number; data: Uint8Array }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(
  ino: number,
  mode: number,
  nlink: number,
  size: number,
  name: string,
  rdev = [0, 0],
) {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const fields = [
    ino,
    mode,
    0,
    0,
    nlink,
    0,
    size,
    0,
    0,
    rdev[0] ?? 0,
    rdev[1] ?? 0,
    nameBytes.length,
    0,
  ];
  const head = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return Buffer.concat([head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length))]);
}

export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, index) => {
    const ino = index + 1;
    const name = entry.path.replace(/^\/+/, '');
    let body: Buffer;
    switch (entry.kind) {
      case 'dir':
        parts.push(header(ino, S_IFDIR | (entry.mode & 0o7777), 2, 0, name));
        return;
      case 'chardev':
        parts.push(
          header(ino, S_IFCHR | (entry.mode & 0o7777), 1, 0, name, [entry.major, entry.minor]),
        );
        return;
      case 'symlink':
        body = Buffer.from(entry.target, 'utf8');
        parts.push(header(ino, S_IFLNK | 0o777, 1, body.length, name));
        break;
      case 'file':
        body = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
        parts.push(header(ino, S_IFREG | (entry.mode & 0o7777), 1, body.length, name));
        break;
    }
    parts.push(body, Buffer.alloc(pad4(body.length)));
  });
  parts.push(header(0, 0, 1, 0, 'TRAILER!!!'));
  return Buffer.concat(parts);
}
