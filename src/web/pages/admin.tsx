import { DEFAULT_FORMAT, FORMAT_NAMES, type FormatName } from '../../domain/formats';
import type { AdminIdentity } from '../admin-auth';
import { ago, dateTimeUtc } from './format';
import { Layout } from './layout';

export interface LoginProps {
  /** Where to go after logging in (an /admin path, checked by the caller). */
  next?: string;
  error?: string;
  /** Why admin is off (no ADMIN_TOKEN, or one too weak): there is nothing to log in to. */
  disabled?: string;
  accessConfigured?: boolean;
}

/** Shown for every unauthenticated /admin page: never any admin data. */
export function LoginPage(props: LoginProps) {
  return (
    <Layout title="Admin login" nav="admin" noindex>
      <div class="login">
        <h1>Admin</h1>
        {props.disabled ? (
          <p class="error" role="alert">
            {props.disabled}
          </p>
        ) : (
          <form method="post" action="/admin/login">
            <p>Log in once with the admin token; this browser then stays logged in for 12 hours.</p>
            {props.error ? (
              <p class="error" role="alert">
                {props.error}
              </p>
            ) : null}
            <div class="field">
              <label for="token">Admin token</label>
              <input id="token" name="token" type="password" autocomplete="current-password" required spellcheck={false} />
            </div>
            {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
            <button type="submit">Log in</button>
            {props.accessConfigured ? <p class="meta">Behind Cloudflare Access you are signed in automatically; the token is the fallback.</p> : null}
          </form>
        )}
      </div>
    </Layout>
  );
}

export interface AdminZip {
  zip: string;
  active: boolean;
  place?: string;
  formats: FormatName[];
  /** generatedAt of the newest picture, if any. */
  latest?: string;
  /** The last run failed after that picture (or with none drawn yet): in words, and the details (for the admin only). */
  failure?: { at: string; summary: string; reason: string };
}

function who(identity: AdminIdentity): string {
  if (identity.via === 'access') return `Signed in with Cloudflare Access${identity.email ? ` as ${identity.email}` : ''}.`;
  if (identity.via === 'session') return `Logged in with the admin token until ${dateTimeUtc(new Date(identity.expiresAt * 1000).toISOString())}.`;
  return 'Authenticated with a bearer token.';
}

function ZipCard(props: { entry: AdminZip; nowMs: number; cadenceMinutes: number; jaegerSearchUrl?: string }) {
  const { entry } = props;
  return (
    <li class="card" id={`zip-${entry.zip}`} data-zip={entry.zip}>
      <div class="card-head">
        <div>
          <h3>{entry.zip}</h3>
          {entry.place ? <span class="place">{entry.place}</span> : null}
        </div>
        <label class="switch">
          <input type="checkbox" data-action="active" data-zip={entry.zip} checked={entry.active} />
          Active<span class="visually-hidden"> ({entry.zip})</span>
        </label>
      </div>
      <fieldset class="checks">
        <legend>
          Formats<span class="visually-hidden"> for {entry.zip}</span>
        </legend>
        {FORMAT_NAMES.map((format) => {
          const always = format === DEFAULT_FORMAT;
          return (
            <label class="check">
              <input
                type="checkbox"
                data-action={always ? undefined : 'format'}
                data-zip={entry.zip}
                data-format={format}
                checked={entry.formats.includes(format)}
                disabled={always}
              />
              {format}
              {always ? <small>(always)</small> : null}
            </label>
          );
        })}
      </fieldset>
      <div class="admin-actions">
        <p class="meta">
          {entry.latest ? (
            <>
              Last picture {ago(entry.latest, props.nowMs)} · <a href={`/forecasts#zip-${entry.zip}`}>view</a>
            </>
          ) : (
            'No picture yet'
          )}
          {entry.active ? ` · redrawn every ${props.cadenceMinutes} min` : ' · not scheduled'}
          {props.jaegerSearchUrl ? (
            <>
              {' · '}
              <a href={props.jaegerSearchUrl} target="_blank" rel="noopener noreferrer" data-jaeger-search={entry.zip}>
                runs in Jaeger<span class="visually-hidden"> for {entry.zip}</span> ↗
              </a>
            </>
          ) : null}
        </p>
        {entry.failure ? (
          <p class="meta failure-line" data-failure={entry.zip}>
            <strong>Last run failed</strong> {ago(entry.failure.at, props.nowMs)}: {entry.failure.summary} · <a href="/admin/dead-letters">dead letters</a>
          </p>
        ) : null}
        {entry.failure ? (
          <p class="meta failure-reason" data-failure-reason={entry.zip}>
            {entry.failure.reason}
          </p>
        ) : null}
        <button type="button" class="js-only" hidden data-action="generate" data-zip={entry.zip}>
          Generate now<span class="visually-hidden"> for {entry.zip}</span>
        </button>
      </div>
    </li>
  );
}

export function AdminPage(props: {
  zips: AdminZip[];
  identity: AdminIdentity;
  csrf?: string;
  added?: string;
  nowMs: number;
  /** How often the cron redraws an active ZIP (CRON_CADENCE_MINUTES). */
  cadenceMinutes: number;
  /** Jaeger UI's search for a ZIP's runs; absent when tracing is off. */
  jaegerSearchUrl?: (zip: string) => string;
}) {
  return (
    <Layout title="Admin" nav="admin" page="admin" csrf={props.csrf} adminScript noindex>
      <div class="toolbar">
        <h1>Admin</h1>
        <div class="toolbar-actions">
          {props.identity.via === 'session' ? (
            <form method="post" action="/admin/logout">
              <button type="submit" class="secondary">
                Log out
              </button>
            </form>
          ) : props.identity.via === 'access' ? (
            <a href="/cdn-cgi/access/logout">Log out of Access</a>
          ) : null}
          {props.identity.via !== 'bearer' ? (
            <button type="button" class="secondary js-only" hidden data-action="logout-everywhere" title="End every admin session, in every browser">
              Log out everywhere
            </button>
          ) : null}
        </div>
      </div>
      <p class="meta">
        {who(props.identity)} Runs that failed end up in the <a href="/admin/dead-letters">dead letters</a>.
      </p>
      <noscript>
        <p class="error">The admin controls need JavaScript. The public pages work without it.</p>
      </noscript>
      <p id="admin-status" class="status-line" role="status" aria-live="polite">
        {props.added ? `Added ${props.added}: it is active and will be drawn at the next run.` : ''}
      </p>

      <section aria-labelledby="add-heading" class="card js-only" hidden>
        <h2 id="add-heading">Add a ZIP code</h2>
        <form id="add-zip" class="inline-form">
          <div class="field">
            <label for="new-zip">ZIP code</label>
            <input
              id="new-zip"
              name="zip"
              type="text"
              inputmode="numeric"
              pattern="[0-9]{5}"
              maxlength={5}
              autocomplete="postal-code"
              placeholder="78729"
              required
            />
          </div>
          <button type="submit">Add and activate</button>
        </form>
        <p class="meta">Active ZIP codes are redrawn every {props.cadenceMinutes} minutes. New ones start with rgb_light; tick more formats below.</p>
      </section>

      <h2>ZIP codes ({props.zips.length})</h2>
      {props.zips.length === 0 ? (
        <div class="empty">
          <p>No ZIP codes yet: add one above.</p>
        </div>
      ) : (
        <ul class="cards">
          {props.zips.map((entry) => (
            <ZipCard entry={entry} nowMs={props.nowMs} cadenceMinutes={props.cadenceMinutes} jaegerSearchUrl={props.jaegerSearchUrl?.(entry.zip)} />
          ))}
        </ul>
      )}
    </Layout>
  );
}
