import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestbed, startTestbed } from '../e2e/testbed';
import type { Stack } from '../e2e/stack';
import type { OtlpReceiver } from '../../src/otel/testing';
import type { WeatherStub } from '../support/weather-stub';
import { openBrowser, requireChromium, watch, type Session } from './browser';

/** "Log out everywhere" in a real browser against the real local stack: two browsers logged in, one button ends both sessions. */
let weather: WeatherStub;
let receiver: OtlpReceiver;
let stack: Stack;
const browsers: Session[] = [];

beforeAll(async () => {
  requireChromium();
  ({ weather, receiver, stack } = await startTestbed({ OTEL_SDK_DISABLED: 'true' }));
});

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await closeTestbed({ stack, receiver, weather });
});

async function loggedInPage(): Promise<Page> {
  const browser = await openBrowser();
  browsers.push(browser);
  const page = await browser.context.newPage();
  await page.goto(`${stack.baseUrl}/admin`);
  await page.fill('#token', stack.token);
  const [answer] = await Promise.all([page.waitForResponse((r) => r.url() === `${stack.baseUrl}/admin/login`), page.click('button[type="submit"]')]);
  expect(answer.status()).toBe(303);
  await page.waitForSelector('button[data-action="logout-everywhere"]', { state: 'visible' });
  return page;
}

describe('log out everywhere', () => {
  it('ends the sessions of every browser; logging in again works', async () => {
    const first = await loggedInPage();
    const second = await loggedInPage();
    const problems = await watch(first);

    const [revoked] = await Promise.all([
      first.waitForResponse((r) => r.url() === `${stack.baseUrl}/admin/sessions/revoke`),
      first.click('button[data-action="logout-everywhere"]'),
    ]);
    expect(revoked.status()).toBe(200);
    // The button takes this browser back to /admin, which now shows the login form.
    await first.waitForSelector('#token', { state: 'visible' });

    // The other browser's cookie is still sent, and no longer admits it.
    await second.reload();
    expect(await second.locator('#token').isVisible()).toBe(true);
    expect(await second.locator('[data-action="logout-everywhere"]').count()).toBe(0);
    const status = await second.evaluate(async () => (await fetch('/admin/status')).status);
    expect(status).toBe(401);

    expect(problems.consoleErrors).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await loggedInPage();
  });
});
