/**
 * trace-view: a terminal stand-in for Jaeger, for engineers without Docker.
 *
 * Listens for OTLP/HTTP on :4318 (the workers' default endpoint) and prints
 * each trace as a waterfall once it is complete, i.e. once no new span has
 * arrived for it for --idle-ms. Spans arriving later re-print the trace.
 *
 *   npm run trace-view -- [--port 4318] [--host ::] [--trace <trace id>] [--idle-ms 2000]
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSpanTree, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../src/otel/testing';
import { ATTR_FORMAT, ATTR_ZIP } from '../src/tracing/run-attributes';
import { sourceMappedStack } from '../test/support/source-mapped-stack';

/** Each branch says which ZIP and format it is about, where that starts. */
const BRANCH_ATTRIBUTES = [
  [ATTR_ZIP, 'zip'],
  [ATTR_FORMAT, 'format'],
] as const;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `Usage: npm run trace-view -- [options]

  --port <n>       port to listen on (default 4318, 0 = any free port)
  --host <addr>    address to bind (default 127.0.0.1: only this machine can send)
  --trace <id>     print only this trace
  --idle-ms <n>    a trace is complete after this long without new spans (default 2000)
  -h, --help       show this help`;

interface Options {
  port: number;
  host: string;
  traceId?: string;
  idleMs: number;
}

function readOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '4318' },
      host: { type: 'string', default: '127.0.0.1' },
      trace: { type: 'string' },
      'idle-ms': { type: 'string', default: '2000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const port = Number(values.port);
  const idleMs = Number(values['idle-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port: not a port: ${values.port}`);
  if (!(idleMs > 0)) throw new Error(`--idle-ms: not a positive number: ${values['idle-ms']}`);
  const traceId = values.trace?.toLowerCase();
  if (traceId !== undefined && !/^[0-9a-f]{32}$/.test(traceId)) throw new Error(`--trace: not a 32-hex-digit trace id: ${values.trace}`);
  return { port, host: values.host, traceId, idleMs };
}

/** Groups spans by trace and reports a trace once it has been idle for `idleMs`. */
class TraceAssembler {
  /** Printed traces are kept so late spans re-print the whole trace; oldest dropped first. */
  private static readonly MAX_TRACES = 1_000;
  private readonly traces = new Map<string, { spans: ReceivedSpan[]; timer?: NodeJS.Timeout; reported: boolean }>();

  constructor(
    private readonly idleMs: number,
    private readonly onComplete: (spans: ReceivedSpan[], update: boolean) => void,
  ) {}

  add(spans: readonly ReceivedSpan[]): void {
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (!trace) this.traces.set(span.traceId, (trace = { spans: [], reported: false }));
      trace.spans.push(span);
      clearTimeout(trace.timer);
      trace.timer = setTimeout(() => this.complete(span.traceId), this.idleMs);
    }
  }

  /** Reports every trace still waiting for its idle timeout (used on exit). */
  flush(): void {
    for (const [traceId, trace] of this.traces) if (trace.timer) this.complete(traceId);
  }

  private complete(traceId: string): void {
    const trace = this.traces.get(traceId);
    if (!trace) return;
    clearTimeout(trace.timer);
    trace.timer = undefined;
    this.onComplete(trace.spans, trace.reported);
    trace.reported = true;
    this.evict();
  }

  private evict(): void {
    for (const [traceId, trace] of this.traces) {
      if (this.traces.size <= TraceAssembler.MAX_TRACES) return;
      if (!trace.timer) this.traces.delete(traceId);
    }
  }
}

/** Leaves room for the offset, duration and label columns in front of the bar. */
function barWidth(): number {
  const columns = process.stdout.columns ?? 120;
  return Math.max(20, Math.min(60, columns - 90));
}

function printTrace(spans: ReceivedSpan[], update: boolean): void {
  const [header, ...rows] = formatSpanTree(spans, { barWidth: barWidth(), branchAttributes: BRANCH_ATTRIBUTES }).split('\n');
  console.log(`\n${header}${update ? '  (updated: late spans)' : ''}\n${rows.join('\n')}`);
  for (const line of exceptionLines(spans)) console.log(line);
}

/**
 * Each recorded exception with its stack, mapped to src/ while the local stack that threw it runs
 * (wrangler dev's bundle and source map; see docs/native-tracing.md, "Stack traces").
 */
function exceptionLines(spans: readonly ReceivedSpan[]): string[] {
  return spans.flatMap((span) =>
    span.events
      .filter((event) => event.name === 'exception')
      .map((event) => {
        const stack = event.attributes['exception.stacktrace'];
        const { 'exception.type': type, 'exception.message': message } = event.attributes;
        const text =
          typeof stack === 'string'
            ? sourceMappedStack(stack, ROOT)
            : `${typeof type === 'string' ? type : 'Error'}: ${typeof message === 'string' ? message : ''}`;
        return `  exception in ${span.name}: ${text.replaceAll('\n', '\n    ')}`;
      }),
  );
}

async function startReceiver(options: Options): Promise<OtlpReceiver> {
  try {
    return await startOtlpReceiver({ port: options.port, host: options.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`port ${options.port} is in use (Jaeger from docker-compose.jaeger.yml?); pick another with --port`);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) return console.log(USAGE);

  const receiver = await startReceiver(options);
  const assembler = new TraceAssembler(options.idleMs, printTrace);
  receiver.onSpans((spans) => {
    assembler.add(options.traceId ? spans.filter((span) => span.traceId === options.traceId) : spans);
    // The assembler holds what is needed; don't let the receiver's buffers grow all day.
    receiver.clear();
  });

  console.log(`trace-view: OTLP/HTTP on ${receiver.url} (OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url})`);
  console.log(
    `trace-view: ${options.traceId ? `waiting for trace ${options.traceId}` : 'printing each trace'} after ${options.idleMs} ms without new spans; Ctrl-C to stop`,
  );

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C: don't wait any longer
    stopping = true;
    assembler.flush();
    await receiver.close();
    console.log(`\ntrace-view: stopped (${signal})`);
    // Nothing is left on the event loop, so Node exits on its own with code 0.
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stop(signal).catch((error: unknown) => {
      console.error(`trace-view: ${(error as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  console.error(`trace-view: ${(error as Error).message}`);
  process.exitCode = 1;
});
