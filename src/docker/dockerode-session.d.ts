/** dockerode's BuildKit session (`lib/session.js`), which its buildImage opens for `version: '2'`. */
declare module 'dockerode/lib/session.js' {
  import type Docker from 'dockerode';
  /** Opens a session (`POST /session`, HTTP/2 over the hijacked connection) serving registry auth. */
  export default function withSession(
    docker: Docker,
    auth: { username: string; password: string } | undefined,
    handler: (error: Error | null, sessionId: string, done: () => void) => void,
  ): void;
}
