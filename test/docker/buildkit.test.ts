/**
 * BuildKit's side of a build that needs no engine: which Dockerfiles only BuildKit builds, the
 * `# syntax=` directive, and the engine's trace records (base64 protobuf StatusResponse) turned
 * into the plain-text log.
 */
import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import {
  BuildKitProgress,
  buildKitFeature,
  decodeTrace,
  syntaxDirective,
  withoutSyntaxDirective,
} from '../../src/docker/buildkit.js';
import { builderChoice } from '../../src/context.js';

/** A trace record as the engine sends it, encoded from the message's fields. */
function trace(message: Record<string, unknown>): string {
  const root = protobuf.Root.fromJSON({
    nested: {
      T: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
      V: {
        fields: {
          digest: { type: 'string', id: 1 },
          name: { type: 'string', id: 3 },
          cached: { type: 'bool', id: 4 },
          started: { type: 'T', id: 5 },
          completed: { type: 'T', id: 6 },
          error: { type: 'string', id: 7 },
        },
      },
      L: {
        fields: {
          vertex: { type: 'string', id: 1 },
          stream: { type: 'int64', id: 3 },
          msg: { type: 'bytes', id: 4 },
        },
      },
      S: {
        fields: {
          vertexes: { rule: 'repeated', type: 'V', id: 1 },
          logs: { rule: 'repeated', type: 'L', id: 3 },
        },
      },
    },
  });
  const type = root.lookupType('S');
  return Buffer.from(type.encode(type.fromObject(message)).finish()).toString('base64');
}

describe('BuildKit', () => {
  it('tells the Dockerfiles only BuildKit builds', () => {
    expect(buildKitFeature('FROM x\nRUN make\nCOPY a b\n')).toBeUndefined();
    expect(buildKitFeature('FROM x\nRUN --mount=type=cache,target=/c make\n')).toBe(
      '`RUN --mount`',
    );
    expect(buildKitFeature('FROM x\nrun --network=none --mount=type=cache,target=/c make\n')).toBe(
      '`RUN --mount`',
    );
    expect(buildKitFeature('FROM x\nRUN <<EOF\nmake\nEOF\n')).toBe('a heredoc (`<<EOF`)');
    expect(buildKitFeature('FROM x\nCOPY <<-"EOT" /f\nhi\nEOT\n')).toBe('a heredoc (`<<EOF`)');
    expect(buildKitFeature('FROM x\nCOPY --link a b\n')).toBe('`COPY --link`');
    expect(buildKitFeature('# syntax=docker/dockerfile:1\nFROM x\n')).toBe(
      'a `# syntax=` directive',
    );
    // A shell here-string in a RUN is no heredoc, and `<<` in an echo's quotes is not either.
    expect(buildKitFeature('FROM x\nRUN cat <<< "$X"\n')).toBeUndefined();
  });

  it('reads `# syntax=` only among the leading directives, and makes it a comment', () => {
    expect(syntaxDirective('# syntax=docker/dockerfile:1.4\nFROM x\n')).toBe(
      'docker/dockerfile:1.4',
    );
    expect(syntaxDirective('# escape=`\n#syntax = a/b:1\nFROM x\n')).toBe('a/b:1');
    expect(syntaxDirective('# a comment\n# syntax=a/b:1\nFROM x\n')).toBeUndefined();
    expect(syntaxDirective('FROM x\n# syntax=a/b:1\n')).toBeUndefined();
    const plain = withoutSyntaxDirective('# syntax=docker/dockerfile:1\nFROM x\n');
    expect(syntaxDirective(plain)).toBeUndefined();
    expect(plain).toBe(
      "# (diverge: built with the engine's own frontend) syntax=docker/dockerfile:1\nFROM x\n",
    );
  });

  it('turns trace records into numbered plain lines, output split at newlines across records', () => {
    const progress = new BuildKitProgress();
    const step = { digest: 'sha256:a', name: '[kernel 2/3] RUN make' };
    const lines = [
      ...progress.lines(decodeTrace(trace({ vertexes: [{ ...step, started: { seconds: 10 } }] }))),
      ...progress.lines(
        decodeTrace(
          trace({
            logs: [{ vertex: 'sha256:a', stream: 1, msg: Buffer.from('cc -c main.c\nld -o ker') }],
          }),
        ),
      ),
      ...progress.lines(
        decodeTrace(
          trace({ logs: [{ vertex: 'sha256:a', stream: 1, msg: Buffer.from('nel.elf\n') }] }),
        ),
      ),
      ...progress.lines(
        decodeTrace(
          trace({
            vertexes: [
              { ...step, started: { seconds: 10 }, completed: { seconds: 11, nanos: 500_000_000 } },
              {
                digest: 'sha256:b',
                name: '[kernel 1/3] FROM debian',
                cached: true,
                started: { seconds: 9 },
                completed: { seconds: 9 },
              },
            ],
          }),
        ),
      ),
    ];
    expect(lines).toEqual([
      '#1 [kernel 2/3] RUN make',
      '#1 cc -c main.c',
      '#1 ld -o kernel.elf',
      '#1 DONE 1.5s',
      '#2 [kernel 1/3] FROM debian',
      '#2 CACHED',
    ]);
    expect(progress.failed).toBeUndefined();
  });

  it('keeps the first failing step as the cause, not the steps cancelled after it', () => {
    const progress = new BuildKitProgress();
    progress.lines(
      decodeTrace(
        trace({
          vertexes: [
            {
              digest: 'sha256:a',
              name: '[kernel 3/3] RUN make',
              started: { seconds: 1 },
              error: 'exit code: 2',
            },
            {
              digest: 'sha256:b',
              name: '[harness 2/2] RUN make',
              started: { seconds: 1 },
              error: 'context canceled',
            },
          ],
          logs: [{ vertex: 'sha256:a', stream: 2, msg: Buffer.from('main.c:3: error: x') }],
        }),
      ),
    );
    expect(progress.failed).toEqual({ name: '[kernel 3/3] RUN make', error: 'exit code: 2' });
    expect(progress.end()).toEqual(['#1 main.c:3: error: x']);
  });

  it("DIVERGE_BUILDER: the config's choice when unset, the three choices, anything else refused by name", () => {
    expect(builderChoice(undefined)).toBeUndefined();
    expect(builderChoice(' ')).toBeUndefined();
    expect(builderChoice(' BuildKit ')).toBe('buildkit');
    expect(builderChoice('classic')).toBe('classic');
    expect(() => builderChoice('buildx')).toThrow(
      /DIVERGE_BUILDER: expected one of auto, buildkit, classic, got "buildx"/,
    );
  });
});
