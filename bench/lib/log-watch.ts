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
    return fresh.flatMap((raw) => {
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
      const start = line.indexOf('{"time"');
      const end = line.lastIndexOf('}');
      if (start < 0 || end < start) return [];
      try {
        return [JSON.parse(line.slice(start, end + 1)) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}

/** wrangler dev may prefix a worker's message with `[worker-name] `. */
export function messageOf(log: Record<string, unknown>): string {
  return typeof log.message === 'string' ? log.message.replace(/^\[[\w-]+\] /, '') : '';
}
