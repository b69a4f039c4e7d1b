import { runCli } from '../commands/main.js';

process.exitCode = await runCli({
  argv: process.argv,
  env: process.env,
  cwd: process.cwd(),
  stderr: (text) => process.stderr.write(text),
  tty: Boolean(process.stdout.isTTY),
});
