import { describe, expect, it } from 'vitest';
import { cadenceMinutes, cronOfCadence, runsPerDay } from '../../../src/domain/cadence.mjs';
import { runDeployScript } from '../../support/deploy-script';

describe('the cron cadence setting (CRON_CADENCE_MINUTES)', () => {
  it('accepts 15, 30 or 60 minutes, 15 when unset, and names the allowed values otherwise', () => {
    expect(cadenceMinutes(undefined)).toBe(15);
    expect(cadenceMinutes('')).toBe(15);
    expect(cadenceMinutes(' 30 ')).toBe(30);
    expect(cadenceMinutes(60)).toBe(60);
    for (const bad of ['45', '10', '0', 'hourly', '15.5']) expect(() => cadenceMinutes(bad)).toThrow('CRON_CADENCE_MINUTES must be one of 15, 30, 60');
    expect([15, 30, 60].map(cronOfCadence)).toEqual(['*/15 * * * *', '*/30 * * * *', '0 * * * *']);
    expect([15, 30, 60].map(runsPerDay)).toEqual([96, 48, 24]);
  });

  const deploy = (cadence: string | undefined) => runDeployScript(cadence === undefined ? {} : { CRON_CADENCE_MINUTES: cadence });

  it('npm run deploy attaches the cron of the chosen cadence to the web worker and passes it on as a var', async () => {
    const hourly = await deploy('60');
    expect(hourly.code).toBe(0);
    expect(hourly.calls).toContain('wrangler deploy -c wrangler.web.toml --triggers 0 * * * * --var CRON_CADENCE_MINUTES:60');
    expect(hourly.calls).toContain('wrangler deploy -c wrangler.fetcher.toml');
    const unset = await deploy(undefined);
    expect(unset.calls).toContain('wrangler deploy -c wrangler.web.toml --triggers */15 * * * * --var CRON_CADENCE_MINUTES:15');
  }, 30_000);

  it('npm run deploy refuses any other cadence before creating or deploying anything', async () => {
    const result = await deploy('45');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('[deploy] refusing to deploy: CRON_CADENCE_MINUTES must be one of 15, 30, 60 (minutes), not "45".');
    expect(result.calls).toEqual([]);
  }, 30_000);
});
