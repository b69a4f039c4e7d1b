/** Reads `diverge.yml` into `Settings`, reporting every problem with its file, line and field. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Settings, settingsSchema } from './settings.js';
import { ConfigError, parseYaml } from './validation.js';

export type { Settings } from './settings.js';
export { ConfigError, type ConfigIssue } from './validation.js';

/** What an absent config means: every default, paths relative to `baseDir`. */
export function defaultSettings(baseDir: string): Settings {
  return settingsSchema(path.resolve(baseDir), '<defaults>').parse({});
}

export async function loadConfig(file: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const message = `cannot read config: ${(error as Error).message}`;
    throw new ConfigError(file, [{ path: '', message }]);
  }
  return parseConfig(text, file);
}

/** Parses config `text`; `file` names it in messages and anchors its relative paths. */
export function parseConfig(text: string, file: string): Settings {
  const configPath = path.resolve(file);
  // An empty file, like an empty section (`machine:`), means the defaults.
  return parseYaml(settingsSchema(path.dirname(configPath), configPath), text, file);
}
