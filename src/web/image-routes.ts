import { Hono, type Context } from 'hono';
import { DEFAULT_FORMAT, FORMAT_NAMES, FORMATS, isFormatName, type FormatName } from '../domain/formats';
import { INVALID_ZIP_MESSAGE, ZipCode } from '../domain/zip';
import type { Env } from '../env';
import { getImage } from '../storage/image-store';
import { getZipFailure, isCurrentFailure, type ZipFailure } from '../storage/zip-status';
import { embeddable } from './security';
import { failureSummary } from './zip-failure';

/**
 * The image routes devices in the field use: `/{zip}`, `/{zip}?{format}`, `/{zip}/{format}.png|.bmp`.
 * Unknown formats fall back to rgb_light, as in the original, except behind a `.bmp` extension:
 * a device asking for a BMP cannot use a PNG, and guessing between the landscape `bw` and the
 * portrait `eink` would hand half of them a picture their firmware refuses, so that is a 404.
 */
export const imageRoutes = new Hono<{ Bindings: Env }>({ strict: true });

const CACHE_CONTROL = 'public, max-age=900';
const NOT_FOUND = { error: 'Image not found. Waiting for first generation.' };
const BMP_FORMATS = FORMAT_NAMES.filter((f) => FORMATS[f].ext === 'bmp');

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

/** The format a file name asks for; undefined for a `.bmp` name that is no BMP format. */
function formatFromFile(file: string): FormatName | undefined {
  const name = file.replace(/\.(png|bmp)$/i, '');
  if (/\.bmp$/i.test(file)) return isFormatName(name) && FORMATS[name].ext === 'bmp' ? name : undefined;
  return isFormatName(name) ? name : DEFAULT_FORMAT;
}

/**
 * What anyone may read about a failed run: what went wrong in words, when, how often it was tried.
 * Not the recorded reason (it may quote the weather API's request URL and its answer) nor the
 * trace: those are the admin's (/admin, /admin/status, /admin/dead-letters).
 */
function failureBody(zip: string, format: FormatName, failure: ZipFailure) {
  return {
    error: `No image: the last generation failed (${failureSummary(failure)}).`,
    status: 'failed',
    zip_code: zip,
    format,
    last_attempt: {
      at: failure.at,
      stage: failure.stage,
      error_type: failure.error_type,
      reason: failureSummary(failure),
      attempts: failure.attempts,
    },
    serving_older_image: false,
  };
}

async function serveImage(c: Context<{ Bindings: Env }>, zip: string, format: FormatName): Promise<Response> {
  if (!ZipCode.safeParse(zip).success) return c.json({ error: INVALID_ZIP_MESSAGE }, 400);
  // Two R2 reads (class B), no KV: the picture and its ZIP's failure record (a head: metadata only).
  const [object, failure] = await Promise.all([getImage(c.env.WEATHER_IMAGES, zip, format), getZipFailure(c.env.WEATHER_IMAGES, zip)]);
  if (!object) {
    return isCurrentFailure(failure, format, undefined) ? c.json(failureBody(zip, format, failure), 404) : c.json(NOT_FOUND, 404);
  }
  const generatedAt = object.customMetadata?.['generated-at'] ?? object.uploaded.toISOString();
  // Other sites embed these pictures: allow cross-origin loads (the rest of the site is same-origin only).
  const headers = embeddable(
    new Headers({
      'content-type': object.httpMetadata?.contentType ?? FORMATS[format].contentType,
      'cache-control': CACHE_CONTROL,
      etag: object.httpEtag,
      'x-generated-at': generatedAt,
      'x-zip-code': zip,
      'x-format': format,
    }),
  );
  // The picture is older than the last failed run: still served, and the failure said alongside.
  if (isCurrentFailure(failure, format, generatedAt)) {
    headers.set('x-last-failure-at', failure.at);
    headers.set('x-last-failure-reason', failureSummary(failure));
  }
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === object.httpEtag || tag.trim() === '*')) {
    await object.body.cancel();
    return new Response(null, { status: 304, headers });
  }
  return new Response(object.body, { status: 200, headers });
}

imageRoutes.get('/:zip/:file', (c) => {
  const format = formatFromFile(c.req.param('file'));
  if (!format) return c.json({ error: `Unknown BMP format. BMP formats: ${BMP_FORMATS.join(', ')}.` }, 404);
  return serveImage(c, c.req.param('zip'), format);
});
imageRoutes.get('/:zip', (c) => serveImage(c, c.req.param('zip'), formatFromQuery(c)));
