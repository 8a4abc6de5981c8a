export const ROOT: string;
/** `wrangler.web.toml`, `wrangler.fetcher.toml`, `wrangler.dispatcher.toml`, `wrangler.generator.toml`. */
export const WORKER_CONFIGS: string[];
export const PASSED_VARS: string[];
export const SECRET_VARS: Set<string>;
export function localConfig(tomlFile: string, vars: Record<string, string>): Record<string, unknown>;
export function writeLocalConfigs(env: Record<string, string | undefined>, outDir: string): string[];
export function devArgs(
  configs: string[],
  options: { host: string; port: number; persistTo: string; logLevel?: string; inspectorPort?: number | string },
): string[];
export const DEV_ENV: Record<string, string>;
