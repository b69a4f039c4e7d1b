/**
 * The JSON Schemas of schema/ against the code's tables: every `enum` and `const` of a schema is
 * tied to the table it copies, and so are the objects keyed by a table's names. A row added to a
 * table without its schema fails here, and so does an enum added to a schema with no table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  BISECT_OUTCOMES,
  BISECT_SCHEMA,
  STEP_BUILDS,
  STEP_VERDICTS,
} from '../../src/model/bisect.js';
import { ACCELS, BOOT_OUTCOMES } from '../../src/model/boot.js';
import { BLAMES, DIVERGENCE_CLASSES, SEVERITY_ORDER } from '../../src/model/classes.js';
import { TOOL_NAME } from '../../src/model/constants.js';
import {
  GRADEBOOK_SCHEMA,
  STUDENT_BOOT_OUTCOMES,
  STUDENT_BUILD_OUTCOMES,
} from '../../src/model/gradebook.js';
import { HISTORY_EVENTS, HISTORY_SCHEMA, HISTORY_STATUSES } from '../../src/model/history.js';
import { ARCHES } from '../../src/model/machines.js';
import { BUILTIN_NORMALIZATIONS, CONCLUSIONS, REPORT_SCHEMA } from '../../src/model/report.js';
import { RESULTS_FORMATS, TEST_STATUSES } from '../../src/model/results.js';
import { BOOT_STAGES } from '../../src/model/stage.js';

type Schema = Record<string, unknown>;

interface Ties {
  /** JSON pointer of each `enum` and `const` → the table (or constant) it copies. */
  values: Record<string, unknown>;
  /** JSON pointer of an object schema whose properties are a table's names, all required. */
  keys?: Record<string, readonly string[]>;
}

const TIES: Record<string, Ties> = {
  'report.v1.json': {
    values: {
      '/definitions/class/enum': DIVERGENCE_CLASSES,
      '/definitions/status/enum': TEST_STATUSES,
      '/properties/schema/const': REPORT_SCHEMA,
      '/properties/run/properties/tool/properties/name/const': TOOL_NAME,
      '/properties/run/properties/host/properties/accel/enum': ACCELS,
      '/properties/machine/properties/arch/enum': ARCHES,
      '/properties/harness/properties/format/enum': RESULTS_FORMATS,
      '/properties/boots/items/properties/outcome/enum': BOOT_OUTCOMES,
      '/properties/boots/items/properties/stage/enum': BOOT_STAGES,
      '/properties/tests/items/properties/verdict/properties/severity/enum': SEVERITY_ORDER,
      '/properties/tests/items/properties/verdict/properties/blame/enum': BLAMES,
      '/properties/normalization/properties/builtin/items/enum': BUILTIN_NORMALIZATIONS,
      '/properties/summary/properties/conclusion/enum': CONCLUSIONS,
    },
  },
  'gradebook.v1.json': {
    values: {
      '/definitions/class/enum': DIVERGENCE_CLASSES,
      '/definitions/student/properties/conclusion/enum': CONCLUSIONS,
      '/definitions/student/properties/build/properties/outcome/enum': STUDENT_BUILD_OUTCOMES,
      '/definitions/student/properties/boot/properties/outcome/enum': STUDENT_BOOT_OUTCOMES,
      '/definitions/student/properties/boot/properties/stage/enum': BOOT_STAGES,
      '/properties/schema/const': GRADEBOOK_SCHEMA,
      '/properties/tool/properties/name/const': TOOL_NAME,
    },
    keys: { '/properties/grading/properties/credit': DIVERGENCE_CLASSES },
  },
  'bisect.v1.json': {
    values: {
      '/definitions/class/enum': DIVERGENCE_CLASSES,
      '/properties/schema/const': BISECT_SCHEMA,
      '/properties/run/properties/host/properties/accel/enum': ACCELS,
      '/properties/outcome/enum': BISECT_OUTCOMES,
      '/properties/steps/items/properties/verdict/enum': STEP_VERDICTS,
      '/properties/steps/items/properties/build/enum': STEP_BUILDS,
    },
    keys: { '/properties/builds': STEP_BUILDS },
  },
  'history.v1.json': {
    values: {
      '/definitions/class/enum': DIVERGENCE_CLASSES,
      '/definitions/status/enum': HISTORY_STATUSES,
      '/definitions/report/properties/conclusion/enum': CONCLUSIONS,
      '/properties/schema/const': HISTORY_SCHEMA,
      '/properties/event/enum': HISTORY_EVENTS,
    },
  },
};

const SUBSCHEMA = ['items', 'additionalProperties', 'propertyNames', 'not', 'contains'];
const SUBSCHEMA_MAPS = ['properties', 'definitions', '$defs', 'patternProperties'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

/** The pointer of every `enum` and `const` keyword of a schema (not of a property so named). */
function valueKeywords(schema: Schema, at = ''): string[] {
  const found: string[] = [];
  for (const [keyword, value] of Object.entries(schema)) {
    const here = `${at}/${keyword}`;
    if (keyword === 'enum' || keyword === 'const') found.push(here);
    else if (SUBSCHEMA.includes(keyword) && isObject(value))
      found.push(...valueKeywords(value, here));
    else if (SUBSCHEMA_MAPS.includes(keyword) && isObject(value)) {
      for (const [name, sub] of Object.entries(value))
        if (isObject(sub)) found.push(...valueKeywords(sub, `${here}/${name}`));
    } else if (SUBSCHEMA_LISTS.includes(keyword) && Array.isArray(value)) {
      value.forEach((sub, i) => isObject(sub) && found.push(...valueKeywords(sub, `${here}/${i}`)));
    }
  }
  return found;
}

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function at(schema: Schema, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), schema);
}

const read = (file: string): Schema =>
  JSON.parse(readFileSync(new URL(`../../schema/${file}`, import.meta.url), 'utf8'));

/** Schemas generated from the zod schema, which takes the tables itself (test/config/schema.test.ts). */
const GENERATED = ['config.v1.json'];

describe('the schemas and the tables', () => {
  it('ties every schema in schema/ written by hand', () => {
    const files = readdirSync(new URL('../../schema/', import.meta.url)).filter(
      (f) => f.endsWith('.json') && !GENERATED.includes(f),
    );
    expect(files.sort()).toEqual(Object.keys(TIES).sort());
  });

  describe.each(Object.entries(TIES))('%s', (file, { values, keys = {} }) => {
    const schema = read(file);

    it('has a table for every enum and const', () => {
      expect(valueKeywords(schema).sort()).toEqual(Object.keys(values).sort());
    });

    it.each(Object.entries(values))('%s is the table', (pointer, table) => {
      expect(at(schema, pointer)).toEqual(table);
    });

    if (Object.keys(keys).length > 0)
      it.each(Object.entries(keys))("%s's properties are the table's names", (pointer, names) => {
        const object = at(schema, pointer) as Schema;
        expect(Object.keys(object['properties'] as Schema)).toEqual(names);
        expect(object['required']).toEqual(names);
        expect(object['additionalProperties']).toBe(false);
      });
  });
});
