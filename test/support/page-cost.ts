/**
 * What a page view costs in KV/R2 operations, for the page-cost test and the bench's cost ledger.
 * The caller seeds the ZIPs (stored-pictures.ts: seedZips) and says how to view a page and count
 * its operations: in the workers pool with OpCounter around the bindings, in the bench from the
 * view's spans (test/support/ledger.ts, by their `db.*` attributes); operations are named
 * `<system> <binding> <method>` (`KV CONFIG get`, `R2 WEATHER_IMAGES list`).
 */
export interface PageView {
  status: number;
  html: string;
  /** Operations by `<system> <binding> <method>`, e.g. { 'R2 WEATHER_IMAGES list': 1 }. */
  ops: Record<string, number>;
}

export type Viewer = (path: string) => Promise<PageView>;

/** The ZIPs of the cards on a /forecasts page, in page order. */
export const cardZips = (html: string): string[] => [...html.matchAll(/<li class="card" id="zip-(\d{5})"/g)].map((m) => m[1]);

/** The `after` of a /forecasts page's Next link, if it has one. */
export const nextAfter = (html: string): string | undefined => /<a href="\/forecasts\?after=(\d{5})" rel="next">/.exec(html)?.[1];

export interface PageCosts {
  home: Record<string, number>;
  forecasts: Record<string, number>;
  forecastsNext: Record<string, number>;
  /** Cards on the first /forecasts page. */
  zipsPerPage: number;
}

/** The operations of `/`, of the first /forecasts page and of the page its Next link leads to. */
export async function pageCosts(view: Viewer): Promise<PageCosts> {
  const home = await view('/');
  const first = await view('/forecasts');
  const after = nextAfter(first.html);
  if (home.status !== 200 || first.status !== 200 || !after)
    throw new Error(`page costs: / ${home.status}, /forecasts ${first.status}, next page ${after ?? 'none'}`);
  const next = await view(`/forecasts?after=${after}`);
  return { home: home.ops, forecasts: first.ops, forecastsNext: next.ops, zipsPerPage: cardZips(first.html).length };
}
