import type { Settings } from '../config/settings.js';
import type { HarnessProgress } from '../model/boot.js';
import { stripPrintk } from './common.js';

type ResultsSettings = Settings['harness']['results'];

const TOP_LEVEL = /^(?:KTAP version|TAP version|1\.\.\d|(?:not )?ok\b)/;
const PLAN = /^1\.\.(\d+)/;
const RESULT = /^(?:not )?ok\b/;

/**
 * A fresh progress tracker per boot. Only KTAP/TAP have a plan to tell completion by. Every
 * result line counts towards `maxTests`, nested or not: the one past it is `too-many`.
 */
export function harnessProgress(results: ResultsSettings, maxTests: number): () => HarnessProgress {
  switch (results.format) {
    case 'ktap':
    case 'tap':
      return () => {
        let planned: number | undefined;
        let reported = 0;
        let seen = 0;
        return (raw) => {
          const line = stripPrintk(raw);
          if (RESULT.test(line.trimStart()) && ++seen > maxTests) return 'too-many';
          if (!TOP_LEVEL.test(line)) return 'none';
          const plan = PLAN.exec(line);
          if (plan && planned === undefined) planned = Number(plan[1]);
          if (RESULT.test(line)) reported += 1;
          return planned !== undefined && reported >= planned ? 'complete' : 'started';
        };
      };
    case 'regex': {
      const spec = results.regex;
      const patterns = [spec?.pass, spec?.fail, spec?.skip, spec?.error]
        .filter((p) => p !== undefined)
        .map((p) => new RegExp(p));
      return () => {
        let seen = 0;
        return (line) => {
          if (!patterns.some((p) => p.test(stripPrintk(line)))) return 'none';
          return ++seen > maxTests ? 'too-many' : 'started';
        };
      };
    }
    case 'transcript':
      return () => () => 'none';
  }
}
