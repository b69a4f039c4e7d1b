/**
 * schema/config.v1.json, the JSON Schema of `diverge.yml` for editors (yaml-language-server),
 * generated from the zod schema in settings.ts: one source of truth. It describes what may be
 * written (the schema's input side: keys, types, enums, defaults); the checks zod makes beyond
 * that (a url's sha256, one source per reference, paths inside an image…) stay diverge's own.
 * scripts/config-schema.mjs writes it, and with --check (npm test) fails when it is stale.
 */
import { z } from 'zod';
import { settingsSchema } from './settings.js';

export const CONFIG_SCHEMA_ID = 'https://diverge.dev/schema/config.v1.json';

/** Where the config is, to zod: defaults that are paths come out relative to it. */
const CONFIG_DIR = '/__diverge_config_dir__';

type Node = Record<string, unknown>;

/** A path or the object, for a schema marked `orPath` (see settings.ts's disks). */
function orPath(node: Node): void {
  const description = node.orPath;
  if (typeof description !== 'string') return;
  delete node.orPath;
  // properties, required and additionalProperties constrain objects only: a string passes them.
  node.type = ['string', 'object'];
  node.description = description;
}

/**
 * What the schema says as a person would: paths under CONFIG_DIR relative to the config's
 * folder, and without the bound every integer has anyway (Number.MAX_SAFE_INTEGER).
 */
const tidy = (value: unknown): unknown =>
  typeof value === 'string' && value.startsWith(CONFIG_DIR)
    ? value.slice(CONFIG_DIR.length + 1) || '.'
    : Array.isArray(value)
      ? value.map(tidy)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([k, v]) => !(k === 'maximum' && v === Number.MAX_SAFE_INTEGER))
              .map(([k, v]) => [k, tidy(v)]),
          )
        : value;

/** The JSON Schema (draft-07) of diverge.yml. */
export function configJsonSchema(): Node {
  const schema = z.toJSONSchema(settingsSchema(CONFIG_DIR, 'diverge.yml'), {
    target: 'draft-7',
    io: 'input',
    // Transforms and refinements are checked by diverge itself: their input is what is shown.
    unrepresentable: 'any',
    override: (ctx) => orPath(ctx.jsonSchema as Node),
  }) as Node;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'diverge.yml',
    description:
      'The configuration of diverge, differential testing of operating-system kernels under QEMU (docs/config.md). Editors: put "# yaml-language-server: $schema=<this file>" at the top of diverge.yml.',
    ...(tidy(rest) as Node),
  };
}
