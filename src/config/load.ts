/** Reads `diverge.yml` into `Settings`, reporting every problem with its file, line and field. */
import path from 'node:path';
import { type Settings, settingsSchema } from './settings.js';
import { parseYaml, readYamlFile } from './validation.js';

export type { Settings } from './settings.js';
export { ConfigError, type ConfigIssue } from './validation.js';

/** What an absent config means: every default, paths relative to `baseDir`. */
export function defaultSettings(baseDir: string): Settings {
  return settingsSchema(path.resolve(baseDir), '<defaults>').parse({});
}

export async function loadConfig(file: string): Promise<Settings> {
  return parseConfig((await readYamlFile(file, 'config')) ?? '', file);
}

/** Parses config `text`; `file` names it in messages and anchors its relative paths. */
export function parseConfig(text: string, file: string): Settings {
  const configPath = path.resolve(file);
  // An empty file, like an empty section (`machine:`), means the defaults.
  return parseYaml(settingsSchema(path.dirname(configPath), configPath), text, file);
}
