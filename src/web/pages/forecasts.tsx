import { FORMATS, imageKey, isFormatName } from '../../domain/formats';
import { CRON_PERIOD_MINUTES, FRESH_FOR_MINUTES, FRESHNESS_LABEL, freshness } from '../freshness';
import { ago, bytes, dateTimeUtc } from './format';
import { Layout } from './layout';

export interface ForecastCard {
  zip: string;
  place?: string;
  /** Every stored picture of the ZIP, in format order. */
  images: Array<{ format: string; generatedAt: string; fileSize: number }>;
}

function newest(card: ForecastCard): string {
  return card.images.map((i) => i.generatedAt).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

function Card(props: { card: ForecastCard; nowMs: number }) {
  const { card } = props;
  const latest = newest(card);
  const state = freshness(latest, props.nowMs);
  const shown = card.images.find((i) => i.format === 'rgb_light') ?? card.images.find((i) => i.format === 'rgb_dark') ?? card.images[0];
  const showable = isFormatName(shown.format) && FORMATS[shown.format].width > FORMATS[shown.format].height;
  return (
    <li class="card" id={`zip-${card.zip}`} data-zip={card.zip}>
      <div class="card-head">
        <div>
          <h2>{card.zip}</h2>
          {card.place ? <span class="place">{card.place}</span> : null}
        </div>
        <span class={`badge ${state}`} data-freshness={state}>
          {FRESHNESS_LABEL[state]}
        </span>
      </div>
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
      <p class="meta">
        Drawn {ago(latest, props.nowMs)} · <time datetime={latest}>{dateTimeUtc(latest)}</time>
      </p>
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
    </li>
  );
}

export function ForecastsPage(props: { cards: ForecastCard[]; nowMs: number }) {
  return (
    <Layout title="Forecasts" nav="forecasts" description="Today's weather landscapes, one card per ZIP code.">
      <h1>Forecasts</h1>
      <p class="note">
        <strong>Up to date</strong> means the newest picture is less than {FRESH_FOR_MINUTES} minutes old. Active ZIP
        codes are redrawn every {CRON_PERIOD_MINUTES} minutes, so {FRESH_FOR_MINUTES} minutes allows one missed or slow
        run; after two in a row the card says <strong>Not updating</strong> (the ZIP was deactivated, or the weather
        service is failing).
      </p>
      {props.cards.length === 0 ? (
        <div class="empty">
          <p>
            <strong>No pictures yet.</strong>
          </p>
          <p>An admin adds ZIP codes and starts the first run from the admin page.</p>
        </div>
      ) : (
        <ul class="cards">
          {props.cards.map((card) => (
            <Card card={card} nowMs={props.nowMs} />
          ))}
        </ul>
      )}
    </Layout>
  );
}
