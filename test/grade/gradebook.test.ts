/**
 * The gradebook's pure parts: the schema, CSV as RFC 4180 and spreadsheets want it, the Markdown
 * summary with untrusted names, shard selection, the resume key, merging shards and refusing
 * other gradings.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CLASS_ORDER } from '../../src/model/classes.js';
import { parseConfig } from '../../src/config/load.js';
import {
  configDigest,
  gradebookOf,
  gradeKey,
  validateGradebook,
} from '../../src/grade/gradebook.js';
import { mergeGradebooks, mergeShards } from '../../src/grade/merge.js';
import { progressLine, studentLine } from '../../src/grade/progress.js';
import {
  csvField,
  renderCsv,
  renderGradebookMarkdown,
  scoreDistribution,
} from '../../src/grade/render.js';
import { sealRow } from '../../src/grade/seal.js';
import { keepsGrade, loadStudent, saveStudent, writeGradebook } from '../../src/grade/store.js';
import {
  listSubmissions,
  parseShard,
  selectShard,
  shardSize,
  studentDir,
} from '../../src/grade/submissions.js';
import type { GradebookStudent, Gradebook } from '../../src/model/gradebook.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const grading = parseConfig('', '/course/diverge.yml').grading;
const basis = {
  config: digest('a'),
  references: [{ name: 'staff', digest: digest('b') }],
  harness: digest('c'),
  tool: '0.1.0+abc',
};
const head = {
  tool: { name: 'diverge' as const, version: '0.1.0' },
  basis,
  grading,
  tests: ['t1', 't2'],
};

function student(name: string, more: Partial<GradebookStudent> = {}): GradebookStudent {
  return {
    name,
    score: 1,
    max: 2,
    conclusion: 'failure',
    tests: { t1: 'same', t2: 'regression' },
    build: { outcome: 'built' },
    boot: { outcome: 'completed', stage: 'done' },
    report: `students/${studentDir(name)}/report.json`,
    key: digest('d'),
    ...more,
  };
}

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'diverge-gradebook-'));

// Its enums (the class table among them) are held to the tables in test/model/schemas.test.ts.
describe('the gradebook schema', () => {
  it('accepts a gradebook and names the field of a bad one', () => {
    const book = gradebookOf(head, [student('bob'), student('alice')]);
    expect(validateGradebook(book).students.map((s) => s.name)).toEqual(['alice', 'bob']);
    const bad = { ...book, students: [{ ...student('x'), tests: { t1: 'passed' } }] };
    expect(() => validateGradebook(bad, 'g.json')).toThrow(
      /g\.json: \/students\/0\/tests\/t1 must be equal to one of the allowed values/,
    );
    expect(() => validateGradebook({ ...book, schema: 'diverge.gradebook/v2' })).toThrow(
      /\/schema/,
    );
  });
});

describe('gradebook.csv', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-1)).toBe('-1');
  });

  it('has student,score,max,conclusion, a count per class, then a column per test', () => {
    const csv = renderCsv(
      gradebookOf(head, [student('a,"b"'), student('c', { tests: { t1: 'same', t3: 'new' } })]),
    );
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      ['student', 'score', 'max', 'conclusion', ...CLASS_ORDER, 't1', 't2', 't3'].join(','),
    );
    const counts = (c: Record<string, number>) => CLASS_ORDER.map((k) => c[k] ?? 0).join(',');
    expect(lines[1]).toBe(
      `"a,""b""",1,2,failure,${counts({ regression: 1, same: 1 })},same,regression,`,
    );
    expect(lines[2]).toBe(`c,1,2,failure,${counts({ new: 1, same: 1 })},same,,new`);
    expect(lines[3]).toBe('');
  });

  it('round-trips any name through an RFC 4180 reader', () => {
    // A minimal RFC 4180 reader, to check the writer against the rule rather than itself.
    const readFirstField = (text: string): string => {
      if (!text.startsWith('"')) return text.slice(0, text.search(/,|\r\n/));
      let out = '';
      for (let i = 1; ; i++) {
        if (text[i] === '"' && text[i + 1] === '"') {
          out += '"';
          i++;
        } else if (text[i] === '"') return out;
        else out += text[i];
      }
    };
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (name) => {
        const row = renderCsv(gradebookOf(head, [student(name)]))
          .split('\r\n')
          .slice(1)
          .join('\r\n');
        const field = readFirstField(row);
        return field === name || field === `'${name}`;
      }),
    );
  });
});

describe('gradebook.md', () => {
  it('escapes names, links reports by their safe directory, and shows the distribution', () => {
    const md = renderGradebookMarkdown(
      gradebookOf(head, [
        student('<img src=x> | @team', { score: 2 }),
        student('../../etc', { score: 0, report: null, reason: 'did not build: *boom*' }),
      ]),
    );
    expect(md).not.toContain('<img');
    expect(md).not.toContain('@team');
    expect(md).toContain('&lt;img src=x&gt; \\| @\u200bteam');
    expect(md).toContain(`(students/${studentDir('<img src=x> | @team')}/report.md)`);
    expect(md).toContain('did not build: \\*boom\\*');
    expect(md).toContain('| 0–9 % | 1 | █ |');
    expect(md).toContain('| 90–100 % | 1 | █ |');
  });

  it('puts a score in the tenth of its maximum, a full score in the last', () => {
    const at = (score: number, max = 10) => student('s', { score, max });
    expect(scoreDistribution([at(0), at(0.99), at(5), at(9.99), at(10), at(0, 0)])).toEqual([
      3, 0, 0, 0, 0, 1, 0, 0, 0, 2,
    ]);
  });
});

describe('student directories', () => {
  it('keep plain names and never let a name climb out or clash', () => {
    expect(studentDir('alice')).toBe('alice');
    expect(studentDir('a.b_c-1')).toBe('a.b_c-1');
    for (const name of [
      '..',
      '.',
      '../x',
      'a/b',
      '/etc/passwd',
      '.hidden',
      'x'.repeat(65),
      'é',
      '',
      'a b',
    ])
      expect(studentDir(name)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{12}$/);
    expect(studentDir('a/b')).not.toBe(studentDir('a:b'));
  });
});

describe('listing submissions', () => {
  it('takes the entries of a directory, NAME=PATH and list files; hidden entries are skipped', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'subs', 'bob'), { recursive: true });
    writeFileSync(path.join(dir, 'subs', 'alice.elf'), 'x');
    mkdirSync(path.join(dir, 'subs', '.git'));
    writeFileSync(
      path.join(dir, 'list.txt'),
      '# course list\ncarol=kernels/carol.elf\nkernels/dave.elf # no name\n\n',
    );
    const found = await listSubmissions({
      dir: path.join(dir, 'subs'),
      named: [{ name: 'eve', path: path.join(dir, 'subs', 'bob') }],
      list: path.join(dir, 'list.txt'),
    });
    expect(found.map((s) => [s.name, path.relative(dir, s.path), s.kind])).toEqual([
      ['alice.elf', 'subs/alice.elf', 'file'],
      ['bob', 'subs/bob', 'dir'],
      ['carol', 'kernels/carol.elf', 'missing'],
      ['dave.elf', 'kernels/dave.elf', 'missing'],
      ['eve', 'subs/bob', 'dir'],
    ]);
  });

  it('refuses a name given twice, naming both places', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bob'), 'x');
    await expect(listSubmissions({ dir, named: [{ name: 'bob', path: '/k' }] })).rejects.toThrow(
      `submission "bob" given twice: ${dir} and --submission bob=/k`,
    );
  });
});

describe('shards', () => {
  it('parses I/N and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/2/3'])
      expect(() => parseShard(bad)).toThrow(
        `--shard: expected I/N with 1 ≤ I ≤ N (like 2/4), got "${bad}"`,
      );
  });

  it('are disjoint, cover every submission, differ by at most one, whatever the input order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (names, count) => {
          const items = names.map((name) => ({ name }));
          const shards = Array.from({ length: count }, (_, i) =>
            selectShard(items, { index: i + 1, count }).map((s) => s.name),
          );
          const reversed = selectShard([...items].reverse(), { index: 1, count }).map(
            (s) => s.name,
          );
          const all = shards.flat();
          const sizes = shards.map((s) => s.length);
          return (
            all.length === names.length &&
            new Set(all).size === names.length &&
            Math.max(...sizes) - Math.min(...sizes) <= 1 &&
            JSON.stringify(reversed) === JSON.stringify(shards[0])
          );
        },
      ),
    );
  });
  it("know their size before listing it: each shard's size is what it selects", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (total, count) => {
          const items = Array.from({ length: total }, (_, i) => ({ name: `s${i}` }));
          return Array.from({ length: count }, (_, i) => ({ index: i + 1, count })).every(
            (shard) => shardSize(total, shard) === selectShard(items, shard).length,
          );
        },
      ),
    );
  });
});

describe('the resume key', () => {
  it('changes with the submission, the config, a reference, the harness and the build', () => {
    const key = gradeKey(digest('1'), basis);
    expect(gradeKey(digest('1'), { ...basis })).toBe(key);
    const changed = [
      gradeKey(digest('2'), basis),
      gradeKey(digest('1'), { ...basis, config: digest('e') }),
      gradeKey(digest('1'), { ...basis, references: [{ name: 'staff', digest: digest('f') }] }),
      gradeKey(digest('1'), { ...basis, harness: digest('0') }),
      gradeKey(digest('1'), { ...basis, tool: '0.1.0+def' }),
    ];
    expect(new Set([key, ...changed]).size).toBe(6);
  });

  it('takes the config by what it says, not where it is checked out', () => {
    const at = (dir: string, yaml = '') =>
      configDigest(parseConfig(`harness: { initrd: h.bin }\n${yaml}`, `${dir}/diverge.yml`), []);
    expect(at('/runner/a')).toBe(at('/home/b/course'));
    expect(at('/a', 'grading: { default-points: 2 }')).not.toBe(at('/a'));
    expect(configDigest(parseConfig('', '/a/diverge.yml'), [{ test: 'x' }])).not.toBe(at('/a'));
  });

  it('keeps a saved row only when its key is unchanged and it was graded', async () => {
    const out = tempDir();
    const report = path.join(out, student('../x').report as string);
    mkdirSync(path.dirname(report), { recursive: true });
    writeFileSync(report, '{}');
    const saved = await sealRow(student('../x', { key: digest('1') }), out);
    await saveStudent(out, saved);
    const loaded = await loadStudent(out, '../x');
    expect(loaded).toEqual(saved);
    expect(keepsGrade(loaded, digest('1'))).toBe(true);
    expect(keepsGrade(loaded, digest('2'))).toBe(false);
    expect(keepsGrade({ ...saved, conclusion: 'neutral' }, digest('1'))).toBe(false);
    expect(await loadStudent(out, 'nobody')).toBeUndefined();
  });

  it('discards a saved row edited by hand, or whose report changed, saying why', async () => {
    const out = tempDir();
    const report = path.join(out, student('x').report as string);
    mkdirSync(path.dirname(report), { recursive: true });
    writeFileSync(report, '{"summary": "regression"}');
    const saved = await sealRow(student('x', { key: digest('1') }), out);
    const why: string[] = [];
    const load = () => loadStudent(out, 'x', (w) => why.push(w));
    await saveStudent(out, { ...saved, score: 2, tests: { t1: 'same', t2: 'same' } });
    expect(await load()).toBeUndefined();
    expect(why.pop()).toMatch(/grade\.json does not match its checksum: the row or its report/);
    const reordered = Object.fromEntries(Object.entries(saved).reverse());
    writeFileSync(path.join(path.dirname(report), 'grade.json'), JSON.stringify(reordered));
    expect(await load()).toEqual(saved); // reformatting or reordering keys is no edit
    writeFileSync(report, '{"summary": "success"}');
    expect(await load()).toBeUndefined();
    const unsealed: GradebookStudent = { ...saved };
    delete unsealed.checksum;
    await saveStudent(out, unsealed);
    writeFileSync(report, '{"summary": "regression"}');
    expect(await load()).toBeUndefined();
    expect(why.pop()).toContain('has no checksum');
  });
});

describe('merging shards', () => {
  const shard = (dir: string, names: string[], more: Partial<Gradebook> = {}) => ({
    dir,
    gradebook: {
      ...gradebookOf(
        head,
        names.map((n) => student(n)),
      ),
      shard: { index: 1, count: 2 },
      ...more,
    },
  });

  it('combines the students, sorted, and drops the shard', () => {
    const merged = mergeGradebooks([shard('s1', ['carol', 'alice']), shard('s2', ['bob'])]);
    expect(merged.students.map((s) => s.name)).toEqual(['alice', 'bob', 'carol']);
    expect(merged.shard).toBeUndefined();
    expect(merged).toEqual(
      gradebookOf(
        head,
        ['alice', 'bob', 'carol'].map((n) => student(n)),
      ),
    );
  });

  it.each([
    [
      'config',
      { ...basis, config: digest('e') },
      /s2\/gradebook\.json: graded with a different config/,
    ],
    [
      'references',
      { ...basis, references: [{ name: 'ta', digest: digest('b') }] },
      /different references \(ta, not staff\)/,
    ],
    [
      'reference kernels',
      { ...basis, references: [{ name: 'staff', digest: digest('f') }] },
      /different reference kernels: staff is sha256:f+, not sha256:b+/,
    ],
    ['harness', { ...basis, harness: digest('0') }, /a different harness/],
  ])('refuses a shard with other %s, naming it', (_, other, message) => {
    expect(() =>
      mergeGradebooks([shard('s1', ['a']), shard('s2', ['b'], { basis: other })]),
    ).toThrow(message);
  });

  it('refuses a student in two shards', () => {
    expect(() => mergeGradebooks([shard('s1', ['a']), shard('s2', ['a'])])).toThrow(
      'student "a" is in both s1/gradebook.json and s2/gradebook.json',
    );
  });

  it('copies every student’s files and validates what it reads', async () => {
    const [s1, s2, out] = [tempDir(), tempDir(), tempDir()];
    for (const [dir, name] of [
      [s1, 'alice'],
      [s2, 'bob'],
    ] as const) {
      mkdirSync(path.join(dir, 'students', name), { recursive: true });
      writeFileSync(path.join(dir, 'students', name, 'report.json'), name);
      await writeGradebook(dir, gradebookOf(head, [await sealRow(student(name), dir)]));
    }
    await mergeShards([s1, s2], out);
    expect(readFileSync(path.join(out, 'students/bob/report.json'), 'utf8')).toBe('bob');
    expect(readFileSync(path.join(out, 'gradebook.csv'), 'utf8').split('\r\n')).toHaveLength(4);
    expect(readFileSync(path.join(out, 'gradebook.html'), 'utf8')).toContain(
      'students/bob/report.html',
    );
    const book = JSON.parse(readFileSync(path.join(s2, 'gradebook.json'), 'utf8'));
    book.students[0].score = 2;
    writeFileSync(path.join(s2, 'gradebook.json'), JSON.stringify(book));
    await expect(mergeShards([s1, s2], tempDir())).rejects.toThrow(
      `${s2}/gradebook.json: the row of "bob" does not match its checksum`,
    );
    writeFileSync(path.join(s2, 'gradebook.json'), '{"schema": "diverge.gradebook/v1"}');
    await expect(mergeShards([s1, s2], tempDir())).rejects.toThrow(
      `${s2}/gradebook.json: / must have required property 'tool'`,
    );
  });
});

describe('progress', () => {
  it('shows graded/total, builds and boots running, failures and an ETA from the pace so far', () => {
    const counts = { total: 40, graded: 10, gradedNow: 5, failures: 2, building: 1, booting: 2 };
    expect(progressLine(counts, 50_000)).toBe(
      'graded 10/40 · 1 building · 2 booting · 2 failed · ETA 5m00s',
    );
    expect(progressLine({ ...counts, gradedNow: 0 }, 50_000)).toBe(
      'graded 10/40 · 1 building · 2 booting · 2 failed',
    );
  });

  it('prints a finished student on one line, control characters removed', () => {
    expect(
      studentLine(student('evil\x1b[2J\nname', { reason: 'did not build:\nerror' }), false),
    ).toBe('evil name: 1/2 (failure) — did not build: error');
  });
});
