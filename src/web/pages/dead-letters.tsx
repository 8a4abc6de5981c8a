import type { StoredDeadLetter } from '../../storage/dead-letter-store';
import { dateTimeUtc } from './format';
import { Layout } from './layout';

/*
 * The admin's dead letters: every message a consumer gave up on, newest first, with why, its trace
 * and its run, and a Replay button (admin.js posts /admin/dlq/replay with the session's CSRF token,
 * like "Generate now", then links the new run in place of the button).
 */

/** What each queue's consumer does: the pipeline stage a dead letter stopped at. */
const STAGE: Record<string, string> = {
  'fetch-jobs': 'Fetching the weather',
  'weather-ready': 'Dispatching the jobs',
  'landscape-jobs': 'Rendering an image',
};
/** Enough of a body to recognise it; the full record stays in GET /admin/dlq. */
const BODY_PREVIEW_CHARS = 2_000;

export interface DeadLetterRow {
  letter: StoredDeadLetter;
  /** Jaeger's page for the trace the message failed in; absent when tracing is off. */
  traceUrl?: string;
}

function field(body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function prettyBody(body: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(body, null, 2) ?? String(body);
  } catch {
    text = String(body);
  }
  return text.length > BODY_PREVIEW_CHARS ? `${text.slice(0, BODY_PREVIEW_CHARS)}\n… (${text.length - BODY_PREVIEW_CHARS} more characters)` : text;
}

function Letter(props: { row: DeadLetterRow; index: number }) {
  const { letter, traceUrl } = props.row;
  const zip = field(letter.body, 'zip_code');
  const runId = field(letter.body, 'run_id');
  const format = field(letter.body, 'format_name');
  const headingId = `dead-letter-${props.index}`;
  return (
    <li class="card dead-letter" data-dead-letter={letter.id}>
      <h2 id={headingId}>
        {STAGE[letter.queue] ?? letter.queue}
        {zip ? ` · ZIP ${zip}` : ''}
        {format ? ` · ${format}` : ''}
      </h2>
      <p class="reason" data-field="reason">
        {letter.reason}
      </p>
      <dl class="facts">
        <dt>Queue</dt>
        <dd>
          <code>{letter.queue}</code>
        </dd>
        <dt>Error type</dt>
        <dd>
          <code>{letter.error_type}</code>
        </dd>
        <dt>Attempts</dt>
        <dd>{letter.attempts}</dd>
        <dt>Dead-lettered</dt>
        <dd>
          <time datetime={letter.dead_lettered_at}>{dateTimeUtc(letter.dead_lettered_at)}</time>
        </dd>
      </dl>
      <p class="links">
        {traceUrl ? (
          <a class="trace-link" href={traceUrl} target="_blank" rel="noopener noreferrer">
            Trace in Jaeger ↗<span class="visually-hidden"> for this dead letter</span>
          </a>
        ) : (
          <span>
            Trace <code>{letter.trace_id}</code>
          </span>
        )}
        {runId ? (
          <a class="run-link" href={`/admin/run/${runId}`}>
            The failed run<span class="visually-hidden"> of this dead letter</span>
          </a>
        ) : null}
      </p>
      <details>
        <summary>Message body</summary>
        <pre>{prettyBody(letter.body)}</pre>
      </details>
      <div class="admin-actions">
        <button type="button" class="js-only" hidden data-action="replay" data-id={letter.id}>
          Replay
          <span class="visually-hidden">
            {' '}
            this {letter.queue} message{zip ? ` for ZIP ${zip}` : ''}
          </span>
        </button>
        <p class="meta replay-result" role="status" aria-live="polite"></p>
      </div>
    </li>
  );
}

export function DeadLettersPage(props: { rows: DeadLetterRow[]; csrf?: string }) {
  return (
    <Layout title="Dead letters" nav="admin" page="dead-letters" csrf={props.csrf} adminScript noindex>
      <p>
        <a href="/admin">← Admin</a>
      </p>
      <h1>Dead letters ({props.rows.length})</h1>
      <p class="note">
        Messages a stage of the pipeline gave up on: at once for a permanent error (an unknown ZIP code, a malformed message), after 4 attempts for a transient
        one (the weather service down). Kept 30 days. <strong>Replay</strong> sends the message to its queue again as a new run; a message that still fails its
        schema cannot be replayed.
      </p>
      <noscript>
        <p class="error">Replaying needs JavaScript; the list works without it.</p>
      </noscript>
      <p id="admin-status" class="status-line" role="status" aria-live="polite"></p>
      {props.rows.length === 0 ? (
        <div class="empty">
          <p>No dead letters: every message was processed.</p>
        </div>
      ) : (
        <ul class="cards dead-letters">
          {props.rows.map((row, index) => (
            <Letter row={row} index={index} />
          ))}
        </ul>
      )}
    </Layout>
  );
}
