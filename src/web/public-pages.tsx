import { Hono } from 'hono';
import { documentOf } from './pages/document';
import { ForecastsPage } from './pages/forecasts';
import { GuidePage } from './pages/guide';
import { HomePage } from './pages/home';
import { forecastCards, latestPicture } from './site-data';
import type { WebEnv } from './web-env';

/** The public pages: no script, no cookie, no admin data. */
export const publicPages = new Hono<WebEnv>({ strict: true });

publicPages.get('/', async (c) => c.html(documentOf(<HomePage latest={await latestPicture(c.env.CONFIG, c.env.WEATHER_IMAGES)} nowMs={Date.now()} />)));

publicPages.get('/forecasts', async (c) => c.html(documentOf(<ForecastsPage cards={await forecastCards(c.env.CONFIG, c.env.WEATHER_IMAGES)} nowMs={Date.now()} />)));

publicPages.get('/guide', (c) => c.html(documentOf(<GuidePage />)));
