import { Hono } from 'hono';
import { z } from 'zod';
import { ZipCode } from '../domain/zip';
import { deployedCadence } from './freshness';
import { parseQuery } from './http-input';
import { documentOf } from './pages/document';
import { ForecastsPage } from './pages/forecasts';
import { GuidePage } from './pages/guide';
import { HomePage } from './pages/home';
import { forecastPage, latestPicture } from './site-data';
import type { WebEnv } from './web-env';

/** The public pages: no script, no cookie, no admin data. */
export const publicPages = new Hono<WebEnv>({ strict: true });

publicPages.get('/', async (c) =>
  c.html(documentOf(<HomePage latest={await latestPicture(c.env.WEATHER_IMAGES)} nowMs={Date.now()} cadenceMinutes={deployedCadence(c.env)} />)),
);

/** `after`: the last ZIP of the previous page (the page's "Next" link sets it). */
const ForecastsQuery = z.object({ after: ZipCode.optional() });

publicPages.get('/forecasts', async (c) => {
  const q = parseQuery(c, ForecastsQuery);
  if (!q.ok) return q.response;
  const page = await forecastPage(c.env.WEATHER_IMAGES, q.value.after);
  return c.html(
    documentOf(<ForecastsPage cards={page.cards} after={q.value.after} next={page.next} nowMs={Date.now()} cadenceMinutes={deployedCadence(c.env)} />),
  );
});

publicPages.get('/guide', (c) => c.html(documentOf(<GuidePage />)));
