import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeTestbed, startTestbed } from '../e2e/testbed';
import { waitFor, type Stack } from '../e2e/stack';
import type { OtlpReceiver } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import { expectHealthy, openBrowser, overflowsHorizontally, requireChromium, screenshot, visit as visitUrl, watch, type Session } from './browser';

/**
 * The web UI in a real browser against the real local stack (`npm start`: four workers, queues,
 * KV, R2) with the Open-Meteo stub and an OTLP receiver: every page, the login, the admin's
 * controls, and "Generate now" followed to the end in the run view.
 */
// Callbacks given to page.evaluate run in the browser; this project is typed for Workers (no DOM lib).
declare const document: any;

const JAEGER = 'http://jaeger.test:16686';
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;
let browser: Session;

beforeAll(async () => {
  requireChromium();
  ({ weather, receiver, stack } = await startTestbed({
    JAEGER_UI_URL: JAEGER,
  }));
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await closeTestbed({ stack, receiver, weather });
});

// Every `npm start` in this checkout writes the same .wrangler/local configs, which a running wrangler
// watches: another stack started meanwhile reloads ours with ITS variables (admin token included).
afterEach((context) => {
  const ready = stack?.lines.findIndex((l) => l.includes('[start] ready')) ?? -1;
  const reloaded = ready >= 0 && stack.lines.slice(ready).some((l) => l.includes('Reloading local server'));
  if (context.task.result?.state === 'fail' && reloaded) {
    console.warn('The stack reloaded during this test: was another `npm start` run in this checkout meanwhile? Rerun alone.');
  }
});

const visit = (page: Page, path: string) => visitUrl(page, `${stack.baseUrl}${path}`);

async function adminJson<T>(path: string): Promise<T> {
  const res = await stack.admin(path, { method: 'GET' });
  expect(res.status, path).toBe(200);
  return await res.json();
}

describe('web UI in chromium', () => {
  it('serves every public page without errors, CSP violations or unlabelled controls', async () => {
    const page = await browser.context.newPage();
    const problems = await watch(page);
    for (const [path, heading] of [
      ['/', /drawn as a landscape/],
      ['/forecasts', /Forecasts/],
      ['/guide', /How to read the picture/],
    ] as const) {
      await visit(page, path);
      await expect(page.locator('h1').textContent()).resolves.toMatch(heading);
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.png');
      await expectHealthy(page, problems);
    }
    // Before any run, the home page shows the renderer's example; the forecasts page says there is nothing yet.
    await visit(page, '/');
    expect(await page.locator('.hero img').getAttribute('src')).toBe('/assets/example.png');
    await screenshot(page, 'home-example');
    await visit(page, '/forecasts');
    await expect(page.locator('.empty').textContent()).resolves.toMatch(/No pictures yet/);

    // The guide draws every element with the renderer's sprites: all of them loaded (checked above), and all kinds present.
    await visit(page, '/guide');
    const sprites = await page.locator('img[data-sprite]').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('data-sprite')));
    for (const name of ['house', 'sun', 'moon', 'flower-noon', 'flower-midnight', 'cloud-1', 'cloud-5', 'fir-1', 'oak-2', 'palm-3', 'poplar-4']) {
      expect(sprites).toContain(name);
    }
    await screenshot(page, 'guide');

    const robots = await page.request.get(`${stack.baseUrl}/robots.txt`);
    expect(await robots.text()).toMatch(/^User-agent: \*\nDisallow: \/admin$/m);
    const favicon = await page.request.get(`${stack.baseUrl}/favicon.ico`);
    expect(favicon.status()).toBe(200);
    expect(favicon.headers()['x-content-type-options']).toBe('nosniff');

    // Phone-sized: nothing overflows sideways.
    await page.setViewportSize({ width: 375, height: 800 });
    for (const path of ['/', '/forecasts', '/guide', '/admin']) {
      await visit(page, path);
      expect(await overflowsHorizontally(page), `${path} overflows at 375 px`).toBe(false);
    }
    await screenshot(page, 'admin-login-mobile');
    await expectHealthy(page, problems);
    await page.close();
  });

  it('works without JavaScript: the public pages render in full', async () => {
    const noJs = await openBrowser({ javaScript: false });
    try {
      const page = await noJs.context.newPage();
      const problems = await watch(page);
      for (const path of ['/', '/forecasts', '/guide']) {
        await visit(page, path);
        expect(await page.locator('main').textContent()).toBeTruthy();
        await expectHealthy(page, problems);
      }
      await visit(page, '/admin');
      await expect(page.locator('label[for="token"]').textContent()).resolves.toBe('Admin token');
    } finally {
      await noJs.close();
    }
  });

  it('logs in, adds a ZIP, ticks a format, and follows "Generate now" to the fresh images', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    const problems = await watch(page);

    // Not logged in: the login form, and no admin data.
    await visit(page, '/admin');
    expect(await page.locator('#token').isVisible()).toBe(true);
    expect(await page.locator('[data-zip]').count()).toBe(0);
    await expectHealthy(page, problems);

    await page.fill('#token', stack.token);
    // The page is at /admin already: wait for the form's answer, not for a URL that already matches.
    const [loggedIn] = await Promise.all([page.waitForResponse((r) => r.url() === `${stack.baseUrl}/admin/login`), page.click('button[type="submit"]')]);
    expect(loggedIn.status(), 'login answer (401: was the stack reloaded with another token?)').toBe(303);
    await page.waitForURL(`${stack.baseUrl}/admin`);
    const cookie = (await browser.context.cookies(stack.baseUrl + '/admin')).find((c) => c.name === 'wl_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    await page.waitForSelector('#add-zip', { state: 'visible' });
    await expectHealthy(page, problems);

    // Add a ZIP.
    await page.fill('#new-zip', '78729');
    await Promise.all([page.waitForURL(/\/admin\?added=78729/), page.click('#add-zip button')]);
    const card = page.locator('#zip-78729');
    await card.waitFor();
    expect(await card.locator('input[data-action="active"]').isChecked()).toBe(true);
    expect((await adminJson<{ active_zips: string[] }>('/admin/status')).active_zips).toContain('78729');

    // Tick two formats; each change is saved at once.
    for (const format of ['rgb_dark', 'eink']) {
      await card.locator(`input[data-format="${format}"]`).check();
      await waitFor(`${format} to be saved`, async () => {
        const { formats } = await adminJson<{ formats: string[] }>('/admin/formats?zip=78729');
        return formats.includes(format) ? formats : undefined;
      });
    }
    expect((await adminJson<{ formats: string[] }>('/admin/formats?zip=78729')).formats).toEqual(['rgb_light', 'rgb_dark', 'eink']);
    expect(await card.locator('input[data-format="rgb_light"]').isDisabled()).toBe(true);

    // Toggle active off and on again.
    await card.locator('input[data-action="active"]').uncheck();
    await waitFor('78729 to be inactive', async () =>
      (await adminJson<{ active_zips: string[] }>('/admin/status')).active_zips.includes('78729') ? undefined : true,
    );
    await card.locator('input[data-action="active"]').check();
    await waitFor('78729 to be active', async () =>
      (await adminJson<{ active_zips: string[] }>('/admin/status')).active_zips.includes('78729') ? true : undefined,
    );
    await screenshot(page, 'admin-dashboard');
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await overflowsHorizontally(page), 'dashboard overflows at 375 px').toBe(false);
    await page.setViewportSize({ width: 1100, height: 900 });
    await expectHealthy(page, problems);

    // Generate now: the run view, its trace and the Jaeger link.
    await Promise.all([page.waitForURL(/\/admin\/run\/[0-9a-f]{32}$/), card.locator('button[data-action="generate"]').click()]);
    const runId = page.url().split('/').pop()!;
    const traceId = (await page.locator('#trace-id').textContent())!.trim();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).toBe(runId);
    const jaegerHref = await page.locator('#jaeger-link').getAttribute('href');
    expect(jaegerHref).toMatch(/^http:\/\/jaeger\.test:16686\/trace\/[0-9a-f]{32}$/);
    expect(jaegerHref).toBe(`${JAEGER}/trace/${traceId}`);
    expect(await page.locator('#jaeger-link').textContent()).toMatch(/Open in Jaeger/);

    // Live progress until done: every stage ticked, 3 of 3 images, and the images themselves.
    await page.waitForSelector('#run-status[data-status="done"]', { timeout: 60_000 });
    for (const stage of ['queued', 'weather', 'dispatched', 'images']) {
      expect(await page.locator(`[data-stage="${stage}"]`).getAttribute('data-state'), stage).toBe('done');
    }
    await expect(page.locator('[data-stage="images"] .detail').textContent()).resolves.toMatch(/^3 of 3 images rendered/);
    await expect(page.locator('[data-stage="dispatched"] .detail').textContent()).resolves.toBe('3 jobs: rgb_light, rgb_dark, eink');
    expect(await page.locator('#run-errors').isHidden()).toBe(true);
    await page.waitForFunction(() => Array.from<any>(document.querySelectorAll('#run-images img')).filter((i) => i.naturalWidth > 0).length === 3);
    const formats = await page.locator('#run-images img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('data-format')));
    expect(formats).toEqual(['rgb_light', 'rgb_dark', 'eink']);
    await page.waitForLoadState('networkidle');
    await expectHealthy(page, problems);
    await screenshot(page, 'admin-run-view', { docs: 'admin-run-view.png' });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await overflowsHorizontally(page), 'run view overflows at 375 px').toBe(false);
    await screenshot(page, 'admin-run-view-mobile');
    await page.setViewportSize({ width: 1100, height: 900 });

    // The link points at a real trace: the receiver holds the generator's spans under that trace id.
    const spans = await receiver.waitForSpans((all) => all.some((s) => s.traceId === traceId && s.serviceName === 'landscape-generator'), 20_000);
    expect(new Set(spans.filter((s) => s.traceId === traceId).map((s) => s.serviceName))).toEqual(
      new Set(['weather-landscape-web', 'weather-fetcher', 'job-dispatcher', 'landscape-generator']),
    );

    // More ZIPs (through the API) so the forecasts page has a few cards.
    for (const zip of ['99701', '96813']) {
      expect((await stack.admin(`/admin/activate?zip=${zip}`)).status).toBe(200);
      expect((await stack.admin(`/admin/formats/add?zip=${zip}&format=bw`)).status).toBe(200);
      const { run_url } = await (await stack.admin(`/admin/generate?zip=${zip}`)).json<{ run_url: string }>();
      await waitFor(`${zip}'s run`, async () => ((await adminJson<{ status: string }>(run_url)).status === 'done' ? true : undefined), 30_000);
    }

    // The forecasts page: a fresh card per ZIP with a link per format, each link serving its picture.
    await visit(page, '/forecasts');
    const forecast = page.locator('#zip-78729');
    await expect(forecast.locator('.badge').textContent()).resolves.toBe('Up to date');
    const links = await forecast.locator('.formats a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/78729/rgb_light.png', '/78729/rgb_dark.png', '/78729/eink.bmp']);
    for (const href of links) expect((await page.request.get(`${stack.baseUrl}${href}`)).status(), href).toBe(200);
    expect(await page.locator('.cards > li').count()).toBe(3);
    await expect(page.locator('.note').textContent()).resolves.toMatch(/30 minutes/);
    await expectHealthy(page, problems);
    await screenshot(page, 'forecasts', { docs: 'forecasts.png' });

    // The home page now shows the most recent picture instead of the example.
    await visit(page, '/');
    expect(await page.locator('.hero img').getAttribute('src')).toMatch(/^\/\d{5}\/rgb_light\.png\?v=/);
    await expectHealthy(page, problems);
    await screenshot(page, 'home-live');

    // Log out: the cookie is gone and admin data with it.
    await visit(page, '/admin');
    expect(await page.locator('form[action="/admin/logout"]').count(), 'still logged in').toBe(1);
    const [loggedOut] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${stack.baseUrl}/admin/logout`),
      page.click('form[action="/admin/logout"] button'),
    ]);
    expect(loggedOut.status()).toBe(303);
    await page.waitForSelector('#token', { state: 'visible' });
    expect((await page.request.get(`${stack.baseUrl}/admin/status`)).status()).toBe(401);
    await page.close();
  });
});
