import { parseLogLines } from '../../test/support/stack-logs';

/**
 * Reads the workers' JSON log lines from the stack's output as they arrive, without re-parsing
 * what was already read. Watching the logs costs the stack nothing, unlike polling its HTTP API.
 */
export class LogWatch {
  private cursor: number;

  constructor(private readonly lines: string[]) {
    this.cursor = lines.length;
  }

  /** The log objects printed since the last call. */
  next(): Array<Record<string, unknown>> {
    const fresh = this.lines.slice(this.cursor);
    this.cursor += fresh.length;
    return parseLogLines(fresh);
  }
}

/** wrangler dev may prefix a worker's message with `[worker-name] `. */
export function messageOf(log: Record<string, unknown>): string {
  return typeof log.message === 'string' ? log.message.replace(/^\[[\w-]+\] /, '') : '';
}
