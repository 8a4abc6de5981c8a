import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestbed, startTestbed } from '../e2e/testbed';
import { waitFor, type Stack } from '../e2e/stack';
import type { OtlpReceiver } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import { expectHealthy, openBrowser, overflowsHorizontally, requireChromium, screenshot, visit, watch, type Session } from './browser';

/**
 * A failed run as the admin sees it in chromium, against the real stack: the run view names the
 * stage that failed; the Dead letters page lists it with its trace and run; Replay, used from the
 * keyboard, leads to the new run. The weather stub knows no place for ZIP 99999 (unknown ZIP).
 */
// Callbacks given to page.evaluate run in the browser; this project is typed for Workers (no DOM lib).
declare const document: any;

const JAEGER = 'http://jaeger.test:16686';
const UNKNOWN_ZIP = '99999';
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;
let browser: Session;

beforeAll(async () => {
  requireChromium();
  ({ weather, receiver, stack } = await startTestbed({ JAEGER_UI_URL: JAEGER }));
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await closeTestbed({ stack, receiver, weather });
});

describe('a failed run in chromium', () => {
  it('the run view names the failed stage; Dead letters lists it with its trace; Replay leads to the new run', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    const problems = await watch(page);
    const url = (path: string) => `${stack.baseUrl}${path}`;

    await visit(page, url('/admin'));
    await page.fill('#token', stack.token);
    await Promise.all([page.waitForURL(url('/admin')), page.click('button[type="submit"]')]);
    expect((await stack.admin(`/admin/activate?zip=${UNKNOWN_ZIP}`)).status).toBe(200);
    await visit(page, url('/admin'));

    // "Generate now" for a ZIP the geocoder does not know: the run fails at the weather stage.
    await Promise.all([page.waitForURL(/\/admin\/run\/[0-9a-f]{32}$/), page.click(`button[data-action="generate"][data-zip="${UNKNOWN_ZIP}"]`)]);
    const runId = page.url().split('/').pop()!;
    await page.waitForSelector('#run-status[data-status="failed"]', { timeout: 60_000 });
    const weatherStage = page.locator('[data-stage="weather"]');
    expect(await weatherStage.getAttribute('data-state')).toBe('failed');
    await expect(weatherStage.locator('.detail').textContent()).resolves.toBe(`Failed: Unknown ZIP ${UNKNOWN_ZIP}: no US result from the geocoder`);
    for (const later of ['dispatched', 'images']) {
      expect(await page.locator(`[data-stage="${later}"]`).getAttribute('data-state'), later).toBe('skipped');
      await expect(page.locator(`[data-stage="${later}"] .detail`).textContent()).resolves.toBe('Not reached: the run failed while fetching the weather.');
    }
    expect(await page.locator('main').textContent()).not.toContain('Waiting for the fetcher');
    await expectHealthy(page, problems);
    await screenshot(page, 'admin-run-failed', { docs: 'admin-run-failed.png' });

    // The Dead letters page, reached from the admin page's link.
    await visit(page, url('/admin'));
    await Promise.all([page.waitForURL(url('/admin/dead-letters')), page.click('a[href="/admin/dead-letters"]')]);
    await page.waitForLoadState('networkidle');
    const letter = page.locator('[data-dead-letter]').filter({ hasText: `ZIP ${UNKNOWN_ZIP}` });
    await expect(letter.count()).resolves.toBe(1);
    await expect(letter.locator('h2').textContent()).resolves.toBe(`Fetching the weather · ZIP ${UNKNOWN_ZIP}`);
    await expect(letter.locator('.reason').textContent()).resolves.toMatch(new RegExp(`^\\s*Unknown ZIP ${UNKNOWN_ZIP}: no US result from the geocoder\\s*$`));
    await expect(letter.locator('.facts').textContent()).resolves.toMatch(/Queuefetch-jobs.*Error typeUnknownZipError.*Attempts1.*Dead-lettered20\d\d-/s);
    // The run was traced: its trace is the run id, and the link opens it in Jaeger.
    expect(await letter.locator('a.trace-link').getAttribute('href')).toBe(`${JAEGER}/trace/${runId}`);
    expect(await letter.locator('a.run-link').getAttribute('href')).toBe(`/admin/run/${runId}`);
    await expectHealthy(page, problems);
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await overflowsHorizontally(page), 'dead letters overflow at 375 px').toBe(false);
    await page.setViewportSize({ width: 1100, height: 900 });
    await screenshot(page, 'dead-letters', { docs: 'dead-letters.png' });

    // Replay from the keyboard: focus reaches the button, Enter replays, focus moves to the new run's link.
    const replay = letter.locator('button[data-action="replay"]');
    await replay.focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('replay');
    await page.keyboard.press('Enter');
    const newRun = letter.locator('a.new-run-link');
    await newRun.waitFor();
    await expect(letter.locator('.replay-result').textContent()).resolves.toBe('Replayed: the message is back in fetch-jobs as a new run.');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('new-run-link'))).toBe(true);
    const newRunHref = (await newRun.getAttribute('href'))!;
    expect(newRunHref).toMatch(/^\/admin\/run\/[0-9a-f]{32}$/);
    expect(newRunHref).not.toBe(`/admin/run/${runId}`);
    await Promise.all([page.waitForURL(url(newRunHref)), page.keyboard.press('Enter')]);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Run for ${UNKNOWN_ZIP}`);
    // Still an unknown ZIP: the new run fails the same way, as a run of its own.
    await page.waitForSelector('#run-status[data-status="failed"]', { timeout: 60_000 });
    expect(await page.locator('[data-stage="weather"]').getAttribute('data-state')).toBe('failed');
    await expectHealthy(page, problems);

    // The public forecasts page tells the failure too, next to a ZIP that works.
    expect((await stack.admin('/admin/generate?zip=78729')).status).toBe(202);
    await waitFor('78729 to be drawn', async () => ((await fetch(url('/78729/rgb_light.png'))).status === 200 ? true : undefined), 30_000);
    await visit(page, url('/forecasts'));
    expect(await page.locator('#zip-78729 .badge.failed').count()).toBe(0);
    const card = page.locator(`#zip-${UNKNOWN_ZIP}`);
    await expect(card.locator('.badge.failed').textContent()).resolves.toBe('Failed');
    await expect(card.locator('.failure').textContent()).resolves.toMatch(/unknown ZIP code/);
    await expectHealthy(page, problems);
    await screenshot(page, 'forecasts-failed', { docs: 'forecasts-failed.png' });
    await page.close();
  });
});
