import type { ChildProcess } from 'node:child_process';

/** A worker's JSON log line (src/otel/log-bridge.ts). */
export type LogLine = Record<string, unknown> & { message: string; worker?: string; service?: string; trace_id?: string };

export const STACKS_DIR: string;
export function logFileOf(persistDir: string): string;
export function logLineReader(onLog: (log: LogLine) => void): (line: string) => void;
export function parseLogLines(lines: readonly string[]): LogLine[];
export function keepStackLog(child: ChildProcess, options: { persistDir: string; port: number }): void;
export const STACK_LOG_ENV: Record<string, string>;
export function stackLogFiles(env?: Record<string, string | undefined>): string[];
