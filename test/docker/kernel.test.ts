import { describe, expect, it } from '@jest/globals';
import { explainDockerError } from '../../src/docker/docker.js';
import { kernelRecipe, variantOf } from '../../src/docker/kernel.js';
import { parseConfig } from '../../src/config/load.js';

const settings = (yaml: string) => parseConfig(yaml, '/p/diverge.yml');
const dockerKernel = (yaml: string) => {
  const kernel = settings(yaml).kernel;
  if (!kernel || kernel.build === undefined) throw new Error('expected kernel.build');
  return kernel;
};

describe('the variant of a run', () => {
  it('is the flag, else the VARIANT build argument, else "default"', () => {
    const withArg = settings('kernel:\n  build: { args: { VARIANT: panic } }\n  path: /k\n');
    expect(variantOf(withArg, undefined)).toBe('panic');
    expect(variantOf(withArg, 'staff')).toBe('staff');
    expect(variantOf(settings('kernel: { file: k.elf }\n'), undefined)).toBe('default');
    // A kernel given with --candidate was not built: the build's argument is not its variant.
    expect(variantOf(withArg, undefined, '/tmp/other.elf')).toBe('default');
  });

  it('becomes the VARIANT build argument of the kernel build', () => {
    const kernel = dockerKernel('kernel:\n  build: { args: { CC: clang, JOBS: 4 } }\n  path: /k\n');
    expect(kernelRecipe(kernel, 'hang').args).toEqual({ CC: 'clang', JOBS: '4', VARIANT: 'hang' });
    // Without a variant the build keeps its own arguments, so its digest (and cache) stays put.
    expect(kernelRecipe(kernel, 'default').args).toEqual({ CC: 'clang', JOBS: '4' });
    expect(kernelRecipe(kernel, 'default').context).toBe('/p');
  });
});

describe('explainDockerError', () => {
  it.each([
    ['ENOENT', /no Docker engine is listening at .*: start dockerd \(or set DOCKER_HOST\)/],
    ['ECONNREFUSED', /no Docker engine is listening/],
    ['EACCES', /permission denied on .*: run as a member of the docker group or as root/],
    ['ETIMEDOUT', /cannot reach the Docker engine at .*: connect ETIMEDOUT/],
  ])('%s', (code, message) => {
    const error = Object.assign(new Error(`connect ${code}`), { code });
    const explained = explainDockerError(error, 'tcp://10.0.0.7:2375').message;
    expect(explained).toMatch(message);
    expect(explained).toContain('tcp://10.0.0.7:2375');
  });
});
