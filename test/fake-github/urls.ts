/**
 * The fake's addresses. The REST API lives under `origin + prefix` (GHES: `/api/v3`); web pages
 * (`html_url`, release downloads) at the origin, as on GHES; pre-signed storage URLs on a second
 * listener, because on GitHub storage is another host: a client following the redirect drops
 * the Authorization header only when the origin changes, and the fake must see whether it did.
 */
export class Urls {
  constructor(
    readonly origin: string,
    readonly prefix: string,
    readonly storage: string,
  ) {}

  get api(): string {
    return `${this.origin}${this.prefix}`;
  }

  get web(): string {
    return this.origin;
  }

  get host(): string {
    return new URL(this.origin).host;
  }

  repoApi(fullName: string): string {
    return `${this.api}/repos/${fullName}`;
  }

  repoWeb(fullName: string): string {
    return `${this.web}/${fullName}`;
  }

  userApi(login: string): string {
    return `${this.api}/users/${encodeURIComponent(login)}`;
  }
}
