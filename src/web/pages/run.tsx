import type { RunStatus, RunView } from '../../storage/run-log';
import { bytes, clockUtc } from './format';
import { Layout } from './layout';

/*
 * One run started with "Generate now": its trace, its stages, its errors, its pictures. Rendered
 * complete on the server (a reload always shows the truth); admin.js then polls
 * GET /admin/runs/{id}, which carries the same runStages(), and updates the same elements until
 * the run is done or failed. Keep the ids and data-stage names in step with renderRun() in
 * assets/admin-js.ts.
 */

const STATUS_TEXT: Record<RunStatus, string> = {
  queued: 'Queued',
  fetching: 'Fetching weather',
  rendering: 'Rendering',
  done: 'Done',
  failed: 'Failed',
};
const STATUS_CLASS: Record<RunStatus, string> = { queued: 'working', fetching: 'working', rendering: 'working', done: 'done', failed: 'failed' };

/** failed: this stage gave up; skipped: never reached, because an earlier stage failed. */
type StageState = 'done' | 'active' | 'pending' | 'failed' | 'skipped';
const MARK: Record<StageState, string> = { done: '✓', failed: '✗', skipped: '–', active: '', pending: '' };

function Stage(props: { name: string; title: string; state: StageState; detail: string; children?: unknown }) {
  return (
    <li data-stage={props.name} data-state={props.state}>
      <span class="mark" aria-hidden="true">
        {MARK[props.state]}
      </span>
      <strong>{props.title}</strong>
      <span class="detail">{props.detail}</span>
      {props.children}
    </li>
  );
}

/** Progress from the images R2 holds for the run's formats: stored from its weather, or skipped for newer weather. */
function runProgress(run: RunView) {
  const finished = new Set([...run.images.map((i) => i.format), ...run.skipped.map((s) => s.format)]);
  return { total: run.formats.length, count: run.formats.filter((f) => finished.has(f)).length, skipped: run.skipped.length, provider: run.provider };
}

const STAGE_TITLE = { weather: 'Weather fetched', dispatched: 'Jobs dispatched', images: 'Images rendered' } as const;
const FAILED_WHILE = { weather: 'while fetching the weather', dispatched: 'while dispatching the jobs', images: 'while rendering' } as const;

/**
 * Each stage's state and text. After a failure the stage that gave up says so with the reason,
 * and the stages after it say they were not reached (never "waiting" under a Failed badge).
 */
export function runStages(run: RunView) {
  const { total, count, skipped, provider } = runProgress(run);
  const failedAt = run.failed_stage;
  const notReached = `Not reached: the run failed ${failedAt ? FAILED_WHILE[failedAt] : ''}.`;
  const failedText = `Failed: ${run.failed_reason ?? 'see the errors below'}`;
  const weather: [StageState, string] = run.weather_fetched_at
    ? ['done', `Fetched ${clockUtc(run.weather_fetched_at)}${provider ? ` from ${provider}` : ''}`]
    : failedAt === 'weather'
      ? ['failed', failedText]
      : total || failedAt
        ? ['done', 'Fetched by an earlier run']
        : ['active', 'Waiting for the fetcher…'];
  const dispatched: [StageState, string] = total
    ? ['done', `${total} ${total === 1 ? 'job' : 'jobs'}: ${run.formats.join(', ')}`]
    : failedAt === 'dispatched'
      ? ['failed', failedText]
      : failedAt
        ? ['skipped', notReached]
        : [run.weather_fetched_at ? 'active' : 'pending', 'One job per configured format'];
  const rendered = `${count} of ${total} images rendered${skipped ? ` (${skipped} skipped: a newer image already exists)` : ''}`;
  const images: [StageState, string] =
    run.status === 'done'
      ? ['done', rendered]
      : failedAt === 'images'
        ? ['failed', `${rendered}. ${failedText}`]
        : failedAt
          ? ['skipped', notReached]
          : [total ? 'active' : 'pending', total ? rendered : 'Waiting for the jobs'];
  return { weather, dispatched, images, total, count };
}

export function RunPage(props: { run: RunView; jaegerUrl?: string; jaegerSearchUrl?: string; csrf?: string }) {
  const { run } = props;
  const stages = runStages(run);
  const { total, count } = stages;
  return (
    <Layout title={`Run ${run.run_id.slice(0, 8)}`} nav="admin" page="run" csrf={props.csrf} adminScript noindex>
      <p>
        <a href="/admin">← Admin</a>
      </p>
      <div id="run" data-run-id={run.run_id} data-status={run.status}>
        <div class="run-head">
          <h1>Run for {run.zip ?? 'unknown ZIP'}</h1>
          <span id="run-status" class={`badge ${STATUS_CLASS[run.status]}`} data-status={run.status} role="status">
            {STATUS_TEXT[run.status]}
          </span>
        </div>
        <div class="trace">
          {props.jaegerUrl ? (
            <>
              <span>
                Trace <code id="trace-id">{run.run_id}</code>
              </span>
              <a id="jaeger-link" class="button-link" href={props.jaegerUrl} target="_blank" rel="noopener noreferrer">
                Open in Jaeger ↗
              </a>
              {props.jaegerSearchUrl ? (
                <a id="jaeger-zip-search" href={props.jaegerSearchUrl} target="_blank" rel="noopener noreferrer">
                  Every run of {run.zip} in Jaeger ↗
                </a>
              ) : null}
            </>
          ) : (
            <span>
              Run <code>{run.run_id}</code>: tracing is off (OTEL_SDK_DISABLED), so there is no trace to open.
            </span>
          )}
        </div>
        {run.request_id ? (
          <p>
            Request ID <code id="request-id">{run.request_id}</code>
          </p>
        ) : null}
        <p id="admin-status" class="status-line" role="status" aria-live="polite"></p>

        <h2>Progress</h2>
        <ol class="stages">
          <Stage
            name="queued"
            title="Run queued"
            state={run.started_at ? 'done' : 'active'}
            detail={run.started_at ? `Started ${clockUtc(run.started_at)}` : ''}
          />
          <Stage name="weather" title={STAGE_TITLE.weather} state={stages.weather[0]} detail={stages.weather[1]} />
          <Stage name="dispatched" title={STAGE_TITLE.dispatched} state={stages.dispatched[0]} detail={stages.dispatched[1]} />
          <Stage name="images" title={STAGE_TITLE.images} state={stages.images[0]} detail={stages.images[1]}>
            <progress id="images-progress" max={Math.max(total, 1)} value={count} aria-label="Images rendered">
              {count} of {total}
            </progress>
          </Stage>
        </ol>

        <section id="run-errors" hidden={run.errors.length === 0} aria-labelledby="errors-heading">
          <h2 id="errors-heading">Errors</h2>
          <ul class="errors">
            {run.errors.map((e) => (
              <li>
                <div class="what">
                  {e.stage}: {e.error_type}
                </div>
                <div>{e.message}</div>
                <div class="meta">
                  attempt {e.attempts} · {e.outcome === 'retry' ? 'will be retried' : 'sent to the dead-letter queue'} · {clockUtc(e.at)}
                </div>
              </li>
            ))}
          </ul>
        </section>

        <section id="run-images" hidden={run.images.length === 0} aria-labelledby="images-heading">
          <h2 id="images-heading">Fresh pictures</h2>
          <ul class="images">
            {[...run.images]
              .sort((a, b) => run.formats.indexOf(a.format) - run.formats.indexOf(b.format))
              .map((image) => (
                <li id={`image-${image.format}`}>
                  <figure>
                    <a href={image.url}>
                      <img
                        src={`${image.url}?v=${encodeURIComponent(image.at)}`}
                        alt={`The new ${image.format} picture for ZIP ${run.zip}`}
                        class="pixel"
                        data-format={image.format}
                      />
                    </a>
                    <figcaption>
                      {image.format} · {bytes(image.bytes)} · {clockUtc(image.at)}
                    </figcaption>
                  </figure>
                </li>
              ))}
          </ul>
        </section>
      </div>
    </Layout>
  );
}
