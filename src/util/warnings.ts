/**
 * Node's warnings that are about a dependency's code, not about anything a user can change.
 * docker-modem (dockerode's transport) parses a `tcp://` DOCKER_HOST with `url.parse()`, which
 * Node 24 warns about (DEP0169) for code outside node_modules, and the bundle puts every
 * dependency outside node_modules: a run with `DOCKER_HOST=tcp://…` printed the warning on
 * stderr. Only that code is dropped; every other warning is emitted as before.
 */
const DROPPED = new Set(['DEP0169']);

let installed = false;

/** The code of a warning as `process.emitWarning` takes it (options object, or 3rd argument). */
function codeOf(args: unknown[]): string | undefined {
  const [warning, second, third] = args;
  if (warning instanceof Error && 'code' in warning) return String(warning.code);
  if (typeof second === 'object' && second !== null && 'code' in second)
    return String((second as { code: unknown }).code);
  return typeof third === 'string' ? third : undefined;
}

/** Makes `process.emitWarning` drop the warnings above; once per process. */
export function dropDependencyWarnings(): void {
  if (installed) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const code = codeOf(args);
    if (code !== undefined && DROPPED.has(code)) return;
    emit(...args);
  }) as NodeJS.Process['emitWarning'];
}
