/**
 * The one stylesheet, served at /assets/site.css (the CSP forbids inline styles). E-ink look:
 * paper, ink and greys, with the pictures' rain blue as the only accent. Pixel art is scaled with
 * `image-rendering: pixelated` so it stays crisp.
 */
export const SITE_CSS = `
:root {
  --paper: #f6f5f0;
  --card: #ffffff;
  --ink: #141414;
  --muted: #5f5f5a;
  --line: #d8d6cd;
  --accent: #1e64dc;
  --accent-ink: #ffffff;
  --radius: 6px;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color-scheme: light;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--paper); color: var(--ink); font: 16px/1.55 var(--sans); }
a { color: var(--accent); text-underline-offset: 2px; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
h1, h2, h3 { line-height: 1.2; margin: 0 0 .5rem; }
h1 { font-size: 1.9rem; letter-spacing: -0.01em; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; }
p { margin: 0 0 1rem; }
code, kbd, .mono { font-family: var(--mono); font-size: .92em; }
code { background: #ecebe4; padding: .05em .3em; border-radius: 3px; overflow-wrap: anywhere; }
img.pixel { image-rendering: pixelated; image-rendering: crisp-edges; }
.skip { position: absolute; left: -999px; top: 0; background: var(--ink); color: var(--paper); padding: .5rem 1rem; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

/* Header and footer */
.site-header { border-bottom: 2px solid var(--ink); background: var(--card); }
.site-header .bar { max-width: 1040px; margin: 0 auto; padding: .7rem 1.25rem; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; }
.brand { display: flex; align-items: center; gap: .55rem; color: var(--ink); text-decoration: none; font: 700 1.05rem/1 var(--mono); letter-spacing: .02em; }
.brand::before { content: ""; width: 28px; height: 28px; background: url(/favicon.png) center / contain no-repeat; image-rendering: pixelated; border: 1px solid var(--line); border-radius: 4px; }
.site-nav { display: flex; flex-wrap: wrap; gap: .25rem; margin-left: auto; }
.site-nav a { color: var(--ink); text-decoration: none; padding: .35rem .7rem; border-radius: var(--radius); }
.site-nav a:hover { background: #ecebe4; }
.site-nav a[aria-current="page"] { background: var(--ink); color: var(--paper); }
main { max-width: 1040px; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .875rem; }
.site-footer .bar { max-width: 1040px; margin: 0 auto; padding: 1.2rem 1.25rem 2rem; }

/* Pictures */
.picture { display: block; width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 2px; }
.hero { display: grid; gap: 1.5rem 2.5rem; grid-template-columns: minmax(0, 1fr); align-items: center; }
.hero .lead { font-size: 1.12rem; color: #2a2a28; }
.hero figure { margin: 0; }
.hero .picture { max-width: 592px; }
figcaption { color: var(--muted); font-size: .875rem; margin-top: .45rem; }
.steps { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); padding: 0; list-style: none; counter-reset: step; }
.steps li { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.1rem; counter-increment: step; }
.steps li::before { content: counter(step); display: inline-grid; place-items: center; width: 1.6rem; height: 1.6rem; margin-right: .5rem; border-radius: 50%; background: var(--ink); color: var(--paper); font: 700 .85rem/1 var(--mono); }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); overflow: hidden; font-size: .95rem; }
th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #efeee8; font-weight: 600; }
tr:last-child td { border-bottom: 0; }
.table-wrap { overflow-x: auto; }

/* Cards (forecasts, admin) */
.cards { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); padding: 0; margin: 1.25rem 0 0; list-style: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; display: flex; flex-direction: column; gap: .75rem; }
.card > h2:first-child { margin-top: 0; }
.card-head { display: flex; align-items: baseline; justify-content: space-between; gap: .75rem; flex-wrap: wrap; }
.card-head h2, .card-head h3 { margin: 0; font: 700 1.25rem/1.2 var(--mono); }
.place { color: var(--muted); font-size: .9rem; }
.meta { color: var(--muted); font-size: .875rem; margin: 0; }
.formats { display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: 0; list-style: none; }
.formats a { display: inline-block; padding: .2rem .55rem; border: 1px solid var(--line); border-radius: 999px; font: .8rem/1.4 var(--mono); text-decoration: none; color: var(--ink); background: #faf9f5; }
.formats a:hover { border-color: var(--ink); }
.badge { display: inline-flex; align-items: center; gap: .35rem; padding: .15rem .6rem; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; border: 1px solid var(--ink); }
.badge::before { content: ""; width: .5rem; height: .5rem; border-radius: 50%; background: currentColor; }
.badge.fresh { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
.badge.stale { background: transparent; color: var(--muted); border-style: dashed; border-color: var(--muted); }
.badge.working { background: var(--card); color: var(--ink); }
.badge.done { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
.badge.failed { background: var(--ink); color: var(--paper); }
.badges { display: inline-flex; gap: .35rem; flex-wrap: wrap; }
.failure { border-left: 3px solid var(--ink); background: var(--paper); padding: .5rem .75rem; margin: .5rem 0; border-radius: 0 var(--radius) var(--radius) 0; }
.failure p { margin: 0 0 .25rem; }
.dead-letter h2 { margin: 0; font-size: 1.1rem; }
.dead-letter .reason { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.dead-letter .facts { display: grid; grid-template-columns: auto 1fr; gap: .15rem .75rem; margin: 0; font-size: .9rem; }
.dead-letter .facts dt { color: var(--muted); }
.dead-letter .facts dd { margin: 0; }
.dead-letter .links { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0; }
.dead-letter pre { white-space: pre-wrap; font-size: .8rem; max-height: 16rem; overflow: auto; background: var(--paper); padding: .5rem; }
.failure-reason, .dead-letter pre, .errors div { overflow-wrap: anywhere; }
.note { border-left: 3px solid var(--accent); background: var(--card); padding: .75rem 1rem; margin: 0 0 1rem; border-radius: 0 var(--radius) var(--radius) 0; }
.empty { text-align: center; padding: 2.5rem 1rem; background: var(--card); border: 1px dashed var(--line); border-radius: var(--radius); }
.pager { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 1rem; margin: 1.5rem 0 0; }
.pager a[rel="next"] { margin-left: auto; }

/* Guide */
.legend { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); padding: 0; list-style: none; }
.legend > li { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.1rem; }
.legend h3 { margin-bottom: .6rem; }
.legend p { margin: .6rem 0 0; font-size: .95rem; }
.sprites { display: flex; flex-wrap: wrap; align-items: flex-end; gap: .9rem; margin: 0; padding: 0; list-style: none; }
.sprites figure { margin: 0; display: flex; flex-direction: column; align-items: center; gap: .25rem; }
.sprites figcaption { margin: 0; font: .75rem/1.2 var(--mono); text-align: center; }
.sprite { background: #fff; padding: 4px; border: 1px solid var(--line); border-radius: 3px; }
.crop { display: block; width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
.legend figure { margin: 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: .9rem; align-items: end; }
.species { overflow-x: auto; }
.species td, .species th { text-align: center; vertical-align: bottom; }
.species th[scope="row"] { text-align: left; vertical-align: middle; }

/* Forms and buttons */
label { font-weight: 600; }
input[type="text"], input[type="password"] { font: inherit; padding: .55rem .7rem; border: 1px solid #a9a79d; border-radius: var(--radius); background: #fff; color: var(--ink); min-width: 0; }
input[type="text"]:focus, input[type="password"]:focus { border-color: var(--ink); }
input[type="checkbox"] { width: 1.05rem; height: 1.05rem; accent-color: var(--accent); margin: 0; }
button { font: inherit; font-weight: 600; padding: .55rem 1rem; border-radius: var(--radius); border: 2px solid var(--ink); background: var(--ink); color: var(--paper); cursor: pointer; }
button:hover { background: #333; }
button.secondary { background: transparent; color: var(--ink); }
button.secondary:hover { background: #ecebe4; }
button[disabled] { opacity: .55; cursor: progress; }
.inline-form { display: flex; flex-wrap: wrap; align-items: flex-end; gap: .6rem; }
.field { display: flex; flex-direction: column; gap: .3rem; }
.checks { display: flex; flex-wrap: wrap; gap: .4rem .9rem; border: 0; padding: 0; margin: 0; }
.checks legend { font-weight: 600; font-size: .9rem; margin-bottom: .35rem; padding: 0; }
.check { display: inline-flex; align-items: center; gap: .4rem; font-weight: 400; font-family: var(--mono); font-size: .9rem; }
.check small { color: var(--muted); font-family: var(--sans); }
.switch { display: inline-flex; align-items: center; gap: .5rem; font-weight: 600; }
.login { max-width: 420px; margin: 2rem auto; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.5rem; }
.login form { display: flex; flex-direction: column; gap: .9rem; }
.error { border-left: 3px solid var(--ink); background: #fff; padding: .6rem .9rem; font-weight: 600; }
.status-line { min-height: 1.6rem; color: var(--muted); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .75rem; }
.toolbar-actions { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.admin-actions { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; justify-content: space-between; border-top: 1px solid var(--line); padding-top: .75rem; }
.js-only[hidden] { display: none; }

/* Run view */
.run-head { display: flex; flex-wrap: wrap; align-items: center; gap: .6rem 1rem; }
.trace { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem 1rem; margin: 1rem 0; }
.trace code { font-size: .85rem; }
.button-link { display: inline-block; padding: .4rem .85rem; border: 2px solid var(--accent); border-radius: var(--radius); font-weight: 600; text-decoration: none; }
.button-link:hover { background: var(--accent); color: var(--accent-ink); }
.stages { list-style: none; padding: 0; margin: 1rem 0; display: grid; gap: .5rem; }
.stages li { display: grid; grid-template-columns: 1.8rem 1fr; gap: .25rem .6rem; align-items: start; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: .65rem .9rem; }
.stages .mark { display: inline-grid; place-items: center; width: 1.5rem; height: 1.5rem; border-radius: 50%; border: 2px solid var(--line); font: 700 .8rem/1 var(--mono); color: transparent; }
.stages li[data-state="done"] .mark { background: var(--ink); border-color: var(--ink); color: var(--paper); }
.stages li[data-state="active"] .mark { border-color: var(--accent); border-style: dashed; animation: spin 2s linear infinite; }
.stages li[data-state="pending"], .stages li[data-state="skipped"] { color: var(--muted); }
.stages li[data-state="failed"] { border-color: var(--ink); border-width: 2px; }
.stages li[data-state="failed"] .mark { background: var(--paper); border-color: var(--ink); color: var(--ink); }
.stages li[data-state="failed"] .detail { color: var(--ink); overflow-wrap: anywhere; }
.stages li[data-state="skipped"] .mark { color: var(--muted); }
.stages .detail { grid-column: 2; color: var(--muted); font-size: .875rem; }
.stages progress { grid-column: 2; width: 100%; max-width: 320px; height: .6rem; accent-color: var(--accent); }
.errors { list-style: none; padding: 0; display: grid; gap: .5rem; }
.errors li { background: #fff; border: 1px solid var(--ink); border-left-width: 4px; border-radius: var(--radius); padding: .6rem .9rem; }
.errors .what { font-weight: 600; }
.images { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); padding: 0; list-style: none; }
.images figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem; }
.images img { display: block; max-width: 100%; height: auto; margin: 0 auto; background: #fff; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .stages li[data-state="active"] .mark { animation: none; } }

@media (min-width: 820px) {
  .hero { grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); }
}
@media (max-width: 560px) {
  main { padding: 1.25rem 1rem 2.5rem; }
  h1 { font-size: 1.55rem; }
  .site-nav { margin-left: 0; width: 100%; }
  .site-nav a { padding: .3rem .55rem; }
  .cards, .images, .legend { grid-template-columns: minmax(0, 1fr); }
}
`;
