import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { proxySettings } from '../../src/context.js';
import { useProxy } from '../../src/util/proxy.js';

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    info: (line: string) => void lines.push(`info: ${line}`),
    warning: (line: string) => void lines.push(`warning: ${line}`),
  };
}

describe('useProxy', () => {
  it('does nothing and says nothing without a proxy, even with NO_PROXY', () => {
    const log = recorder();
    const agent = http.globalAgent;
    useProxy(proxySettings({ NO_PROXY: 'localhost' }), log);
    expect(log.lines).toEqual([]);
    expect(http.globalAgent).toBe(agent);
  });

  it('warns, without the password, that an unusable proxy URL leaves requests direct', () => {
    const log = recorder();
    const agent = http.globalAgent;
    useProxy(proxySettings({ HTTPS_PROXY: 'http://ta:s3cret@[proxy' }), log);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/^warning: HTTPS_PROXY\/HTTP_PROXY .*Requests go out direct\.$/);
    expect(log.lines[0]).not.toContain('s3cret');
    expect(http.globalAgent).toBe(agent);
  });
});
