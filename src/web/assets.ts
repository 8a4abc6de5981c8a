import { Hono } from 'hono';
import { examplePng, faviconIco, faviconPng, guideCropPng, isGuideCrop, spritePng } from './illustrations';
import { ADMIN_JS } from './assets/admin-js';
import { SITE_CSS } from './assets/site-css';
import { SPRITE_NAMES, type SpriteName } from '../render';
import type { WebEnv } from './web-env';

/**
 * Static files of the site: stylesheet, admin script, robots.txt, favicon, and the pictures the
 * renderer draws for the pages (sprites, guide details, the example). Registered before the image
 * routes, which would otherwise read `/robots.txt` as a ZIP code.
 */
export const assetRoutes = new Hono<WebEnv>({ strict: true });

/** FNV-1a of the text: a version for asset URLs, so a deploy never serves stale CSS or JS. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

export const ASSET_URLS = {
  css: `/assets/site.css?v=${fingerprint(SITE_CSS)}`,
  adminJs: `/assets/admin.js?v=${fingerprint(ADMIN_JS)}`,
  favicon: '/favicon.png',
} as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const DAY = 'public, max-age=86400';

function png(bytes: Uint8Array, cacheControl = DAY, contentType = 'image/png'): Response {
  return new Response(bytes, { headers: { 'content-type': contentType, 'cache-control': cacheControl } });
}

// Versioned URLs (?v=<hash>) may be cached forever; a request without the current version gets a short lifetime.
const versioned = (url: string, query: string | undefined) => (query && url.endsWith(`?v=${query}`) ? IMMUTABLE : 'public, max-age=300');

assetRoutes.get('/assets/site.css', (c) => {
  c.header('cache-control', versioned(ASSET_URLS.css, c.req.query('v')));
  return c.body(SITE_CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
});

assetRoutes.get('/assets/admin.js', (c) => {
  c.header('cache-control', versioned(ASSET_URLS.adminJs, c.req.query('v')));
  return c.body(ADMIN_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' });
});

assetRoutes.get('/robots.txt', (c) => c.text('User-agent: *\nDisallow: /admin\n', 200, { 'cache-control': DAY }));

assetRoutes.get('/favicon.png', () => png(faviconPng()));
assetRoutes.get('/favicon.ico', () => png(faviconIco(), DAY, 'image/x-icon'));
assetRoutes.get('/assets/example.png', () => png(examplePng()));

assetRoutes.get('/sprites/:file{[a-z0-9-]+\\.png}', (c) => {
  const name = c.req.param('file').slice(0, -'.png'.length);
  if (!(SPRITE_NAMES as string[]).includes(name)) return c.json({ error: 'Unknown sprite.' }, 404);
  return png(spritePng(name as SpriteName));
});

assetRoutes.get('/assets/guide/:file{[a-z-]+\\.png}', (c) => {
  const name = c.req.param('file').slice(0, -'.png'.length);
  if (!isGuideCrop(name)) return c.json({ error: 'Unknown picture.' }, 404);
  return png(guideCropPng(name));
});
