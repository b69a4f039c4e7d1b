/**
 * Builders of the objects GitHub nests everywhere (users, apps, repositories), with every URL
 * built from the fake's own base so that a client following one stays on the fake.
 */
import type { FakeState, RepoRecord, TokenRecord } from '../state.js';
import { timestamp } from '../state.js';
import type { Urls } from '../urls.js';

/** GitHub's node IDs are opaque base64; the prefix names the type, as GitHub's new IDs do. */
export const nodeId = (type: string, id: number): string =>
  `${type}_kwDO${Buffer.from(String(id)).toString('base64url')}`;

/** The GitHub Actions app: what check runs made with GITHUB_TOKEN belong to. */
const ACTIONS_APP_ID = 15368;

export class Shapes {
  constructor(
    private readonly state: FakeState,
    private readonly urls: Urls,
  ) {}

  user(login: string): Record<string, unknown> {
    const user = this.state.user(login);
    const url = this.urls.userApi(user.login);
    const bot = user.type === 'Bot';
    return {
      login: user.login,
      id: user.id,
      node_id: nodeId(bot ? 'BOT' : user.type === 'Organization' ? 'O' : 'U', user.id),
      avatar_url: `${this.urls.web}/avatars/u/${user.id}?v=4`,
      gravatar_id: '',
      url,
      html_url: bot
        ? `${this.urls.web}/apps/${user.login.replace(/\[bot\]$/, '')}`
        : `${this.urls.web}/${user.login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: user.type,
      user_view_type: 'public',
      site_admin: false,
    };
  }

  actionsApp(): Record<string, unknown> {
    const owner = this.state.user('github', 'Organization').login;
    return {
      id: ACTIONS_APP_ID,
      slug: 'github-actions',
      node_id: nodeId('A', ACTIONS_APP_ID),
      client_id: 'Iv1.05c79e9ad1f6bdfa',
      owner: this.user(owner),
      name: 'GitHub Actions',
      description: 'Automate your workflow from idea to production',
      external_url: 'https://help.github.com/en/actions',
      html_url: `${this.urls.web}/apps/github-actions`,
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: {
        actions: 'write',
        checks: 'write',
        contents: 'write',
        issues: 'write',
        metadata: 'read',
        pull_requests: 'write',
        statuses: 'write',
      },
      events: ['check_run', 'check_suite', 'pull_request', 'push', 'release', 'workflow_run'],
    };
  }

  /**
   * A repository as GitHub nests it: `minimal` is the `minimal-repository` of workflow runs,
   * `full` adds the clone URLs, counters and settings of `repository`/`full-repository`.
   */
  repo(
    record: RepoRecord,
    level: 'minimal' | 'full',
    token?: TokenRecord,
  ): Record<string, unknown> {
    const u = this.urls.repoApi(record.fullName);
    const html = this.urls.repoWeb(record.fullName);
    const minimal: Record<string, unknown> = {
      id: record.id,
      node_id: nodeId('R', record.id),
      name: record.name,
      full_name: record.fullName,
      private: record.private,
      owner: this.user(record.owner),
      html_url: html,
      description: null,
      fork: record.fork,
      url: u,
      archive_url: `${u}/{archive_format}{/ref}`,
      assignees_url: `${u}/assignees{/user}`,
      blobs_url: `${u}/git/blobs{/sha}`,
      branches_url: `${u}/branches{/branch}`,
      collaborators_url: `${u}/collaborators{/collaborator}`,
      comments_url: `${u}/comments{/number}`,
      commits_url: `${u}/commits{/sha}`,
      compare_url: `${u}/compare/{base}...{head}`,
      contents_url: `${u}/contents/{+path}`,
      contributors_url: `${u}/contributors`,
      deployments_url: `${u}/deployments`,
      downloads_url: `${u}/downloads`,
      events_url: `${u}/events`,
      forks_url: `${u}/forks`,
      git_commits_url: `${u}/git/commits{/sha}`,
      git_refs_url: `${u}/git/refs{/sha}`,
      git_tags_url: `${u}/git/tags{/sha}`,
      hooks_url: `${u}/hooks`,
      issue_comment_url: `${u}/issues/comments{/number}`,
      issue_events_url: `${u}/issues/events{/number}`,
      issues_url: `${u}/issues{/number}`,
      keys_url: `${u}/keys{/key_id}`,
      labels_url: `${u}/labels{/name}`,
      languages_url: `${u}/languages`,
      merges_url: `${u}/merges`,
      milestones_url: `${u}/milestones{/number}`,
      notifications_url: `${u}/notifications{?since,all,participating}`,
      pulls_url: `${u}/pulls{/number}`,
      releases_url: `${u}/releases{/id}`,
      stargazers_url: `${u}/stargazers`,
      statuses_url: `${u}/statuses/{sha}`,
      subscribers_url: `${u}/subscribers`,
      subscription_url: `${u}/subscription`,
      tags_url: `${u}/tags`,
      teams_url: `${u}/teams`,
      trees_url: `${u}/git/trees{/sha}`,
    };
    if (level === 'minimal') return minimal;
    const write = token?.permissions === 'write';
    return {
      ...minimal,
      git_url: `git://${this.urls.host}/${record.fullName}.git`,
      ssh_url: `git@${this.urls.host}:${record.fullName}.git`,
      clone_url: `${html}.git`,
      svn_url: html,
      mirror_url: null,
      homepage: null,
      language: 'C',
      forks_count: 0,
      forks: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: record.defaultBranch,
      open_issues_count: 0,
      open_issues: 0,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: true,
      has_wiki: true,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: record.private ? 'private' : 'public',
      pushed_at: timestamp(),
      created_at: record.createdAt,
      updated_at: record.createdAt,
      allow_forking: true,
      web_commit_signoff_required: false,
      license: null,
      network_count: 0,
      subscribers_count: 0,
      ...(token
        ? { permissions: { admin: false, maintain: false, push: write, triage: write, pull: true } }
        : {}),
    };
  }
}
