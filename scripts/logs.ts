/**
 * logs: one run's log lines from all four workers, merged in time order, one readable line each.
 *
 *   npm run logs -- <trace_id> [--json] [--remote] [--file <stack.jsonl>]
 */
import { parseArgs } from 'node:util';
import { stackLogFiles } from './stack-log.mjs';
import { deployedWorkerNames, formatReadable, readLocalRun, tailRun, type LogLine } from './run-logs';

const USAGE = `Usage: npm run logs -- <trace_id> [options]

  (local)          read the running npm start stack's log file (every running stack's, whatever
                   its PORT or PERSIST_DIR; else the last one of PERSIST_DIR or .wrangler/state)
  --remote         tail the four deployed workers (npx wrangler tail <worker> --format json)
                   and print the run's lines as they arrive, until Ctrl-C
  --file <path>    read this stack log file instead (repeatable)
  --json           print the raw JSON objects, one a line
  -h, --help       show this help`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      remote: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      file: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const traceId = positionals[0]?.toLowerCase();
  if (!traceId || positionals.length > 1 || !/^[0-9a-f]{32}$/.test(traceId)) {
    throw new Error(`expected one 32-hex-digit trace id, got ${positionals.length ? positionals.join(' ') : 'none'}\n\n${USAGE}`);
  }
  const print = (line: LogLine) => console.log(values.json ? JSON.stringify(line) : formatReadable(line));

  if (values.remote) {
    const workers = deployedWorkerNames();
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    process.once('SIGTERM', () => abort.abort());
    console.error(`[logs] tailing ${workers.join(', ')} for trace ${traceId}; Ctrl-C stops`);
    await tailRun({ traceId, workers, onLine: print, signal: abort.signal });
    return;
  }

  const files = values.file ?? stackLogFiles();
  if (files.length === 0) throw new Error('no stack log found: is `npm start` running? (or pass --file <path>, or --remote)');
  const lines = await readLocalRun(traceId, files);
  if (lines.length === 0) {
    console.error(`[logs] no line of trace ${traceId} in ${files.join(', ')}`);
    process.exitCode = 1;
    return;
  }
  for (const line of lines) print(line);
}

main().catch((error: unknown) => {
  console.error(`[logs] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
