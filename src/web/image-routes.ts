import { Hono, type Context } from 'hono';
import { DEFAULT_FORMAT, FORMATS, isFormatName, type FormatName } from '../domain/formats';
import { INVALID_ZIP_MESSAGE, ZipCode } from '../domain/zip';
import type { Env } from '../env';
import { getImage } from '../storage/image-store';
import { embeddable } from './security';

/**
 * The image routes devices in the field use: `/{zip}`, `/{zip}?{format}`, `/{zip}/{format}.png|.bmp`.
 * Unknown formats fall back to rgb_light, as in the original.
 */
export const imageRoutes = new Hono<{ Bindings: Env }>({ strict: true });

const CACHE_CONTROL = 'public, max-age=900';
const NOT_FOUND = { error: 'Image not found. Waiting for first generation.' };

function formatFromQuery(c: Context): FormatName {
  const url = new URL(c.req.url);
  const first = url.search.slice(1).split('&')[0] ?? '';
  let name = '';
  try {
    name = decodeURIComponent(first.split('=')[0] ?? '');
  } catch {
    // A malformed escape is just an unknown format: fall back like any other.
  }
  return isFormatName(name) ? name : DEFAULT_FORMAT;
}

function formatFromFile(file: string): FormatName {
  const name = file.replace(/\.(png|bmp)$/i, '');
  return isFormatName(name) ? name : DEFAULT_FORMAT;
}

async function serveImage(c: Context<{ Bindings: Env }>, zip: string, format: FormatName): Promise<Response> {
  if (!ZipCode.safeParse(zip).success) return c.json({ error: INVALID_ZIP_MESSAGE }, 400);
  const object = await getImage(c.env.WEATHER_IMAGES, zip, format);
  if (!object) return c.json(NOT_FOUND, 404);
  // Other sites embed these pictures: allow cross-origin loads (the rest of the site is same-origin only).
  const headers = embeddable(new Headers({
    'content-type': object.httpMetadata?.contentType ?? FORMATS[format].contentType,
    'cache-control': CACHE_CONTROL,
    etag: object.httpEtag,
    'x-generated-at': object.customMetadata?.['generated-at'] ?? object.uploaded.toISOString(),
    'x-zip-code': zip,
    'x-format': format,
  }));
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === object.httpEtag || tag.trim() === '*')) {
    await object.body.cancel();
    return new Response(null, { status: 304, headers });
  }
  return new Response(object.body, { status: 200, headers });
}

imageRoutes.get('/:zip/:file', (c) => serveImage(c, c.req.param('zip'), formatFromFile(c.req.param('file'))));
imageRoutes.get('/:zip', (c) => serveImage(c, c.req.param('zip'), formatFromQuery(c)));
