/**
 * HTTP(S) proxies for every request of the process: Node's built-in proxy support, switched on
 * at run time with the run context's settings, sends `fetch` (Octokit, downloads of `url:`,
 * artifact and release references) and `http(s).request` through HTTPS_PROXY / HTTP_PROXY and
 * past the NO_PROXY hosts. @actions/artifact and @actions/cache read the same variables through
 * @actions/http-client. Called once by an entry point, before the first request.
 */
import http from 'node:http';

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY (the lower-case name first, as curl and the toolkit read them). */
export interface ProxySettings {
  HTTPS_PROXY?: string;
  HTTP_PROXY?: string;
  NO_PROXY?: string;
}

/** Says in the log which proxy is used, or why none can be. */
export function useProxy(
  settings: ProxySettings,
  log: { info(line: string): void; warning(line: string): void },
): void {
  const proxy = settings.HTTPS_PROXY ?? settings.HTTP_PROXY;
  if (!proxy) return;
  // Node 24.14 added it; on an older 24.x the requests would go out direct, so say so.
  if (typeof http.setGlobalProxyFromEnv !== 'function') {
    log.warning(
      `HTTPS_PROXY/HTTP_PROXY is set, but Node ${process.version} has no proxy support: requests go out direct (Node 24.14 or later uses the proxy)`,
    );
    return;
  }
  try {
    http.setGlobalProxyFromEnv({ ...settings });
  } catch (error) {
    log.warning(
      `HTTPS_PROXY/HTTP_PROXY ${redactCredentials(proxy)}: ${(error as Error).message} Requests go out direct.`,
    );
    return;
  }
  const noProxy = settings.NO_PROXY ? ` (not for ${settings.NO_PROXY})` : '';
  log.info(`requests go through the proxy ${redactCredentials(proxy)}${noProxy}`);
}

/** A proxy URL may carry a user and password: never shown. */
function redactCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '…';
      parsed.password = '';
    }
    return parsed.href.replace(/\/$/, '');
  } catch {
    return '(unparsable proxy URL)';
  }
}
