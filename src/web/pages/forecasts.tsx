import { FORMATS, imageKey, isFormatName } from '../../domain/formats';
import { FRESHNESS_LABEL, freshForMinutes, freshness } from '../freshness';
import { ago, bytes, dateTimeUtc } from './format';
import { Layout } from './layout';

export interface ForecastCard {
  zip: string;
  place?: string;
  /** Every stored picture of the ZIP, in format order (none when its only run failed). */
  images: Array<{ format: string; generatedAt: string; fileSize: number }>;
  /** The last run failed after the newest picture was drawn (format: only that format's job failed); in words, no details. */
  failure?: { at: string; summary: string; format?: string };
}

function newest(card: ForecastCard): string | undefined {
  return card.images.map((i) => i.generatedAt).reduce<string | undefined>((a, b) => (!a || Date.parse(b) > Date.parse(a) ? b : a), undefined);
}

/** What went wrong, when, and whether the picture shown is an older one. */
function FailureNote(props: { zip: string; failure: NonNullable<ForecastCard['failure']>; hasPicture: boolean; nowMs: number }) {
  const { failure } = props;
  return (
    <div class="failure" data-failure={props.zip}>
      <p>
        <strong>Last run failed</strong>
        {failure.format ? ` (${failure.format})` : ''} {ago(failure.at, props.nowMs)}, <time datetime={failure.at}>{dateTimeUtc(failure.at)}</time>:{' '}
        {failure.summary}.
      </p>
      <p class="meta">{props.hasPicture ? 'Showing the last good picture until a run succeeds.' : 'No picture has been drawn for this ZIP code.'}</p>
    </div>
  );
}

function Card(props: { card: ForecastCard; nowMs: number; cadenceMinutes: number }) {
  const { card } = props;
  const latest = newest(card);
  const state = latest ? freshness(latest, props.nowMs, props.cadenceMinutes) : 'stale';
  const shown = card.images.find((i) => i.format === 'rgb_light') ?? card.images.find((i) => i.format === 'rgb_dark') ?? card.images[0];
  const showable = shown !== undefined && isFormatName(shown.format) && FORMATS[shown.format].width > FORMATS[shown.format].height;
  return (
    <li class="card" id={`zip-${card.zip}`} data-zip={card.zip}>
      <div class="card-head">
        <div>
          <h2>{card.zip}</h2>
          {card.place ? <span class="place">{card.place}</span> : null}
        </div>
        <span class="badges">
          {card.failure ? (
            <span class="badge failed" data-status="failed">
              Failed
            </span>
          ) : null}
          {latest ? (
            <span class={`badge ${state}`} data-freshness={state}>
              {FRESHNESS_LABEL[state]}
            </span>
          ) : null}
        </span>
      </div>
      {card.failure ? <FailureNote zip={card.zip} failure={card.failure} hasPicture={latest !== undefined} nowMs={props.nowMs} /> : null}
      {showable && isFormatName(shown.format) ? (
        <a href={`/${imageKey(card.zip, shown.format)}`}>
          <img
            class="picture pixel"
            src={`/${imageKey(card.zip, shown.format)}?v=${encodeURIComponent(shown.generatedAt)}`}
            width={FORMATS[shown.format].width}
            height={FORMATS[shown.format].height}
            loading="lazy"
            alt={`Weather landscape for ZIP ${card.zip}${card.place ? `, ${card.place}` : ''}: the next 24 hours`}
          />
        </a>
      ) : null}
      {latest ? (
        <p class="meta">
          Drawn {ago(latest, props.nowMs)} · <time datetime={latest}>{dateTimeUtc(latest)}</time>
        </p>
      ) : null}
      {card.images.length > 0 ? (
        <ul class="formats" aria-label={`Formats for ${card.zip}`}>
          {card.images
            .filter((i) => isFormatName(i.format))
            .map((i) => {
              const format = i.format as keyof typeof FORMATS;
              return (
                <li>
                  <a href={`/${imageKey(card.zip, format)}`} title={`${FORMATS[format].width}×${FORMATS[format].height}, ${bytes(i.fileSize)}`}>
                    {format}.{FORMATS[format].ext}
                  </a>
                </li>
              );
            })}
        </ul>
      ) : null}
    </li>
  );
}

/** Older and newer pages: ZIPs in order, a page at a time (see forecastPage). */
function Pager(props: { after?: string; next?: string }) {
  if (!props.after && !props.next) return null;
  return (
    <nav class="pager" aria-label="Pages of ZIP codes">
      {props.after ? <a href="/forecasts">First page</a> : null}
      {props.next ? (
        <a href={`/forecasts?after=${props.next}`} rel="next">
          Next: ZIP codes after {props.next}
        </a>
      ) : null}
    </nav>
  );
}

export function ForecastsPage(props: { cards: ForecastCard[]; after?: string; next?: string; nowMs: number; cadenceMinutes: number }) {
  const freshFor = freshForMinutes(props.cadenceMinutes);
  return (
    <Layout title="Forecasts" nav="forecasts" description="Today's weather landscapes, one card per ZIP code.">
      <h1>Forecasts</h1>
      <p class="note">
        <strong>Up to date</strong> means the newest picture is less than {freshFor} minutes old. Active ZIP codes are redrawn every {props.cadenceMinutes}{' '}
        minutes, so {freshFor} minutes allows one missed or slow run; after two in a row the card says <strong>Not updating</strong> (the ZIP was deactivated,
        or the weather service is failing). <strong>Failed</strong> means the last run gave up, with what went wrong on the card.
      </p>
      {props.after ? <p class="meta">ZIP codes after {props.after}.</p> : null}
      {props.cards.length === 0 && props.after ? (
        <div class="empty">
          <p>
            <strong>No more pictures after ZIP code {props.after}.</strong>
          </p>
        </div>
      ) : props.cards.length === 0 ? (
        <div class="empty">
          <p>
            <strong>No pictures yet.</strong>
          </p>
          <p>An admin adds ZIP codes and starts the first run from the admin page.</p>
        </div>
      ) : (
        <ul class="cards">
          {props.cards.map((card) => (
            <Card card={card} nowMs={props.nowMs} cadenceMinutes={props.cadenceMinutes} />
          ))}
        </ul>
      )}
      <Pager after={props.after} next={props.next} />
    </Layout>
  );
}
