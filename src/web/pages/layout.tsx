import type { Child } from 'hono/jsx';
import { ASSET_URLS } from '../assets';

export type NavItem = 'home' | 'forecasts' | 'guide' | 'admin';

const NAV: Array<[NavItem, string, string]> = [
  ['home', '/', 'Home'],
  ['forecasts', '/forecasts', 'Forecasts'],
  ['guide', '/guide', 'Guide'],
  ['admin', '/admin', 'Admin'],
];

export interface LayoutProps {
  title: string;
  nav?: NavItem;
  description?: string;
  /** `data-page` on <body>: tells admin.js which page it is on. */
  page?: string;
  /** The CSRF token admin.js sends with every state-changing call. */
  csrf?: string;
  /** Load /assets/admin.js (admin pages only: the public pages need no script at all). */
  adminScript?: boolean;
  noindex?: boolean;
  children?: Child;
}

/** The page frame: header with navigation, main, footer; one stylesheet, no inline style or script. */
export function Layout(props: LayoutProps) {
  const title = props.title === 'Weather Landscape' ? props.title : `${props.title} · Weather Landscape`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <meta name="description" content={props.description ?? 'Weather forecasts drawn as small landscape pictures for e-ink displays and web pages.'} />
        {props.noindex ? <meta name="robots" content="noindex, nofollow" /> : null}
        {props.csrf ? <meta name="csrf-token" content={props.csrf} /> : null}
        <link rel="icon" type="image/png" href={ASSET_URLS.favicon} />
        <link rel="stylesheet" href={ASSET_URLS.css} />
        {props.adminScript ? <script src={ASSET_URLS.adminJs} defer></script> : null}
      </head>
      <body data-page={props.page ?? props.nav ?? 'page'}>
        <a class="skip" href="#content">
          Skip to content
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              Weather Landscape
            </a>
            <nav class="site-nav" aria-label="Main">
              {NAV.map(([id, href, label]) => (
                <a href={href} aria-current={props.nav === id ? 'page' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
          </div>
        </header>
        <main id="content">{props.children}</main>
        <footer class="site-footer">
          <div class="bar">
            Pictures are redrawn on a schedule from Open-Meteo forecasts. Devices fetch <code>{'/{zip}/eink.bmp'}</code>; web pages embed{' '}
            <code>{'/{zip}/rgb_light.png'}</code>.
          </div>
        </footer>
      </body>
    </html>
  );
}
