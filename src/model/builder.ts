/**
 * Which builder builds a Dockerfile (docker/image.ts): `auto` is BuildKit for a Dockerfile the
 * classic builder cannot build (`RUN --mount`, heredocs, `# syntax=`) and the classic builder
 * otherwise; `buildkit` is BuildKit whenever the engine has it; `classic` never BuildKit.
 * `kernel.build.builder` chooses for a repository, `DIVERGE_BUILDER` for a machine (it wins).
 */
export const BUILDER_CHOICES = ['auto', 'buildkit', 'classic'] as const;
export type BuilderChoice = (typeof BUILDER_CHOICES)[number];
