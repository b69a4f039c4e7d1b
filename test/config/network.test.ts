import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../src/config/load.js';

const yaml = (...lines: string[]) => lines.join('\n');

function messageOf(text: string): string {
  try {
    parseConfig(text, 'diverge.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('harness.network and harness.driver', () => {
  it('reads a user-mode network with forwarded ports and a driver, whose stdout is the results', () => {
    const { harness } = parseConfig(
      yaml(
        'harness:',
        '  network: { mode: user, forward: [80, 8080] }',
        '  driver:',
        '    command: [sh, drive.sh, "{test}"]',
        '    ready: { expect: "httpd up", port: 80 }',
        '    timeout: 30s',
      ),
      'diverge.yml',
    );
    expect(harness.network).toStrictEqual({
      mode: 'user',
      mac: '52:54:00:12:34:56',
      forward: [80, 8080],
      guest: '10.0.2.15/24',
      host: '10.0.2.2/24',
    });
    expect(harness.driver).toStrictEqual({
      command: ['sh', 'drive.sh', '{test}'],
      ready: { expect: 'httpd up', port: 80 },
      timeoutMs: 30_000,
      outputCapBytes: 1024 * 1024,
    });
    expect(harness.results.channel).toBe('driver');
  });

  it('keeps the console as the results channel when the config says so, and without a driver', () => {
    const withDriver = parseConfig(
      yaml(
        'harness:',
        '  network: { mode: tap, guest: 10.0.0.2/24, host: 10.0.0.1/24, nic: e1000 }',
        '  driver: { command: [ping, -c, "3", x] }',
        '  results: { channel: console }',
      ),
      'diverge.yml',
    ).harness;
    expect(withDriver.results.channel).toBe('console');
    expect(withDriver.network).toMatchObject({ mode: 'tap', nic: 'e1000', guest: '10.0.0.2/24' });
    const without = parseConfig('harness: { network: { mode: socket } }', 'diverge.yml');
    expect(without.harness.results.channel).toBe('console');
    expect(without.harness.driver).toBeUndefined();
  });

  it('names each misplaced or wrong field', () => {
    expect(messageOf('harness: { network: { mode: wifi } }')).toContain(
      'harness.network.mode: expected one of user, tap, socket, got "wifi"',
    );
    expect(messageOf('harness: { network: { mode: tap, forward: [80] } }')).toContain(
      'harness.network.forward: only valid with mode user',
    );
    expect(messageOf('harness: { network: { mode: user, forward: [80, 80] } }')).toContain(
      'duplicate port 80',
    );
    expect(
      messageOf('harness: { network: { mode: tap, guest: 10.0.0.2/24, host: 10.1.0.1/24 } }'),
    ).toContain("harness.network.host: expected an address in the guest's subnet (10.0.0.2/24)");
    expect(messageOf('harness: { network: { mode: tap, guest: 10.0.0.300/24 } }')).toContain(
      'harness.network.guest: expected an IPv4 address with its prefix length',
    );
    expect(
      messageOf('machine: { profile: microvm }\nharness: { network: { mode: user, nic: e1000 } }'),
    ).toContain(
      'harness.network.nic: x86_64 microvm has no e1000 (expected one of virtio-net-device)',
    );
    expect(messageOf('harness: { results: { channel: driver } }')).toContain(
      'harness.results.channel: the driver channel needs a driver (harness.driver)',
    );
    expect(
      messageOf(
        'harness: { network: { mode: user, forward: [80] }, driver: { command: [x], ready: { port: 81 } } }',
      ),
    ).toContain('harness.driver.ready.port: port 81 is not forwarded');
    expect(
      messageOf(
        'harness: { network: { mode: socket }, driver: { command: [x], ready: { port: 81 } } }',
      ),
    ).toContain('harness.driver.ready.port: needs a guest network the host reaches by TCP');
    expect(messageOf('harness: { driver: { command: [] } }')).toContain('harness.driver.command');
  });

  it('lets a driver run the per-test boots without {test} in append or a send', () => {
    const { harness } = parseConfig(
      yaml('harness:', '  tests: [a, b]', '  driver: { command: [sh, t.sh] }'),
      'diverge.yml',
    );
    expect(harness.tests).toStrictEqual(['a', 'b']);
    expect(messageOf('harness: { tests: [a, b] }')).toContain('put {test} in machine.append');
  });
});
