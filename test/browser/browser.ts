import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Debian's chromium driven by playwright-core (no downloaded browser). Helpers to collect what a
 * page reports (console errors, uncaught exceptions, CSP violations, failed requests), to audit
 * basic accessibility, and to save screenshots.
 */
// Callbacks given to page.evaluate run in the browser; this project is typed for Workers (no DOM lib).
declare const window: any;
declare const document: any;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
export const DOCS_IMAGES = join(ROOT, 'docs', 'images');

/** Fails (never skips) without chromium: CI installs it, and a silent skip would hide a broken UI. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser tests need Debian's chromium. ` +
        "Install it with `apt-get update && apt-get install -y chromium` (CI's .ci/run does), or set CHROMIUM_PATH.",
    );
  }
}

export interface Session {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A browser with a fresh user data dir (no cookies, no cache from an earlier run). */
export async function openBrowser(options: { javaScript?: boolean; width?: number; height?: number } = {}): Promise<Session> {
  requireChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'wl-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: options.width ?? 1200, height: options.height ?? 900 },
    javaScriptEnabled: options.javaScript ?? true,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  /** Filled in the page by a listener added before any page script runs. */
  cspViolations(): Promise<string[]>;
}

/** Records everything a page complains about, from now on. */
export async function watch(page: Page): Promise<PageProblems> {
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${page.url()})`);
  });
  page.on('pageerror', (error) => pageErrors.push(`${error.message} (${page.url()})`));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? '';
    // ERR_ABORTED is the browser cancelling a request itself (a poll in flight when the test
    // navigates away), not a failure of the site; anything else counts.
    if (error.includes('ERR_ABORTED')) return;
    failedRequests.push(`${request.method()} ${request.url()}: ${error}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.request().method()} ${response.url()}: HTTP ${response.status()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (event: any) => {
      window.__csp.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return {
    consoleErrors,
    pageErrors,
    failedRequests,
    cspViolations: () => page.evaluate((): string[] => window.__csp ?? []).catch(() => []),
  };
}

/**
 * Basic accessibility: every form control has a label (a <label>, aria-label or aria-labelledby),
 * every image has alt text and actually loaded, the page has a title, one <h1> and a lang.
 * Returns the problems found (empty when all is well).
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.waitForLoadState('load');
  return page.evaluate((): string[] => {
    const problems: string[] = [];
    const describe = (el: any) => String(el.outerHTML).slice(0, 120);
    for (const control of Array.from<any>(document.querySelectorAll('input, select, textarea, button, progress'))) {
      if (control.tagName === 'INPUT' && control.type === 'hidden') continue;
      const labelled =
        control.labels?.length ||
        control.getAttribute('aria-label')?.trim() ||
        control.getAttribute('aria-labelledby') ||
        (control.tagName === 'BUTTON' && control.textContent?.trim());
      if (!labelled) problems.push(`unlabelled control: ${describe(control)}`);
    }
    for (const img of Array.from<any>(document.images)) {
      if (!img.getAttribute('alt')?.trim()) problems.push(`image without alt text: ${describe(img)}`);
      if (!img.complete || img.naturalWidth === 0) problems.push(`image did not load: ${img.currentSrc || img.src}`);
    }
    if (!document.title.trim()) problems.push('page has no <title>');
    if (!document.documentElement.lang) problems.push('<html> has no lang');
    if (document.querySelectorAll('h1').length !== 1) problems.push(`expected one <h1>, found ${document.querySelectorAll('h1').length}`);
    return problems;
  });
}

/** True when the page is wider than the viewport (something overflows sideways on a phone). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate((): boolean => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/**
 * Saves a screenshot as a test artifact, and the README's images under docs/images when
 * UPDATE_DOCS_SCREENSHOTS=1 (so an ordinary test run leaves the checkout unchanged).
 */
export async function screenshot(page: Page, name: string, options: { docs?: string; fullPage?: boolean } = {}): Promise<Buffer> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const png = await page.screenshot({ fullPage: options.fullPage ?? true, animations: 'disabled' });
  writeFileSync(join(SCREENSHOT_DIR, `${name}.png`), png);
  if (options.docs && process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
    const target = join(DOCS_IMAGES, options.docs);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, png);
  }
  return png;
}

/** Everything the page complained about must be nothing; the page must pass the accessibility audit. */
export async function expectHealthy(page: Page, problems: PageProblems): Promise<void> {
  expect(await accessibilityProblems(page), `accessibility of ${page.url()}`).toEqual([]);
  expect(await problems.cspViolations(), `CSP violations on ${page.url()}`).toEqual([]);
  expect(problems.consoleErrors, 'console errors').toEqual([]);
  expect(problems.pageErrors, 'uncaught exceptions').toEqual([]);
  expect(problems.failedRequests, 'failed requests').toEqual([]);
}

/** Opens `url` and checks it answered 200 with the site's security headers (strict CSP, no inline code). */
export async function visit(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), url).toBe(200);
  const headers = response!.headers();
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBeTruthy();
  await page.waitForLoadState('networkidle');
}
