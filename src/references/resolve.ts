import type { Settings } from '../config/settings.js';
import { KernelFileError } from '../qemu/kernel-image.js';

/** A kernel ready to boot, with where it came from (as reports show it). */
export interface ResolvedKernel {
  name: string;
  path: string;
  source: Record<string, unknown>;
}

export const CANDIDATE = 'candidate';

/**
 * The candidate and the references as files. Flags win over the config; of the config's
 * reference kinds only `file` can be resolved locally: the others are fetched by the Action.
 */
export function resolveKernels(
  settings: Settings,
  flags: { candidate?: string; references?: { name: string; path: string }[] },
): { candidate: ResolvedKernel; references: ResolvedKernel[] } {
  let candidate: ResolvedKernel;
  if (flags.candidate)
    candidate = { name: CANDIDATE, path: flags.candidate, source: { file: flags.candidate } };
  else if (settings.kernel && 'file' in settings.kernel && settings.kernel.file)
    candidate = {
      name: CANDIDATE,
      path: settings.kernel.file,
      source: { file: settings.kernel.file },
    };
  else if (settings.kernel)
    throw new KernelFileError(
      `${settings.configPath}: kernel.build needs the Docker build stage, which is not available yet: build the kernel first and pass --candidate PATH or set kernel.file`,
    );
  else
    throw new KernelFileError(
      'no candidate kernel: pass --candidate PATH or set kernel.file in diverge.yml',
    );

  if (flags.references && flags.references.length > 0) {
    const references = flags.references.map((r) => ({
      name: r.name,
      path: r.path,
      source: { file: r.path },
    }));
    return { candidate, references };
  }
  const references = settings.references.map((reference, i) => {
    if (reference.source.kind !== 'file') {
      throw new KernelFileError(
        `${settings.configPath}: references[${i}] (${reference.name}): ${reference.source.kind} references are fetched by the GitHub Action; locally pass --reference ${reference.name}=PATH`,
      );
    }
    return {
      name: reference.name,
      path: reference.source.path,
      source: { file: reference.source.path },
    };
  });
  if (references.some((r) => r.name === CANDIDATE))
    throw new KernelFileError(`a reference cannot be named "${CANDIDATE}"`);
  return { candidate, references };
}
