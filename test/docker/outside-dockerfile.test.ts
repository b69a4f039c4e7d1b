/**
 * diverge grade builds a student's source with the staff's Dockerfile: the context is the
 * student's directory, the Dockerfile comes from elsewhere and replaces the student's own.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import tar from 'tar-stream';
import { packContext, scanContext } from '../../src/docker/context.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'diverge-outside-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function packed(context: Awaited<ReturnType<typeof scanContext>>) {
  const files: Record<string, string> = {};
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    body.on('end', () => {
      if (header.type === 'file') files[header.name] = Buffer.concat(chunks).toString();
      next();
    });
  });
  const finished = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
  packContext(context).pipe(extract);
  await finished;
  return files;
}

describe('a Dockerfile from outside the context', () => {
  const staff = path.join(dirWith({ Dockerfile: 'FROM scratch AS kernel\n' }), 'Dockerfile');

  it("replaces the student's own Dockerfile, and the student's files go as they are", async () => {
    const student = dirWith({ Dockerfile: 'FROM evil\n', 'kernel/main.c': 'int x;' });
    const files = await packed(
      await scanContext(student, 'Dockerfile', 'kernel.build', undefined, staff),
    );
    expect(files).toEqual({ Dockerfile: 'FROM scratch AS kernel\n', 'kernel/main.c': 'int x;' });
  });

  it('is sent to a student without a Dockerfile, and enters the digest', async () => {
    const student = dirWith({ 'kernel/main.c': 'int x;' });
    const withStaff = await scanContext(student, 'Dockerfile', 'kernel.build', undefined, staff);
    expect(Object.keys(await packed(withStaff))).toEqual(['kernel/main.c', 'Dockerfile']);
    const other = path.join(dirWith({ Dockerfile: 'FROM scratch AS other\n' }), 'Dockerfile');
    const withOther = await scanContext(student, 'Dockerfile', 'kernel.build', undefined, other);
    expect(withOther.digest).not.toBe(withStaff.digest);
    // Without one, the student's directory is no build context at all.
    await expect(scanContext(student, 'Dockerfile', 'kernel.build')).rejects.toThrow(
      /kernel\.build\.dockerfile: no file Dockerfile in the context/,
    );
  });

  it('must exist', async () => {
    const student = dirWith({ 'main.c': '' });
    await expect(
      scanContext(student, 'Dockerfile', 'kernel.build', undefined, '/nonexistent/Dockerfile'),
    ).rejects.toThrow('kernel.build.dockerfile: no file /nonexistent/Dockerfile');
  });
});
