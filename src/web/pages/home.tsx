import { FORMATS, FORMAT_NAMES, imageKey } from '../../domain/formats';
import { ago, dateTimeUtc } from './format';
import { Layout } from './layout';

export interface LatestPicture {
  zip: string;
  place?: string;
  generatedAt: string;
}

const COLOURS: Record<string, string> = {
  rgb_light: 'white paper, black ink, brown soil, blue rain',
  rgb_dark: 'black background, white ink, light-blue rain',
  bw: '1-bit black on white',
  bwi: '1-bit, inverted',
  eink: '1-bit, rotated for a portrait 2.9″ panel',
};

export function HomePage(props: { latest?: LatestPicture; nowMs: number; cadenceMinutes: number }) {
  const { latest } = props;
  const sampleZip = latest?.zip ?? '78729';
  return (
    <Layout title="Weather Landscape" nav="home">
      <section class="hero" aria-labelledby="intro">
        <div>
          <h1 id="intro">The next 24 hours, drawn as a landscape</h1>
          <p class="lead">
            Weather Landscape turns a forecast into a small picture: time runs left to right from the house ("now") to a day ahead, the ground rises and falls
            with the temperature, and clouds, rain, sun, moon and trees tell the rest. Made for 2.9″ e-ink displays, and just as happy on a web page.
          </p>
          <p>
            <a href="/forecasts">See today's pictures</a> · <a href="/guide">Learn to read one</a>
          </p>
        </div>
        <figure>
          {latest ? (
            <img
              class="picture pixel"
              src={`/${imageKey(latest.zip, 'rgb_light')}?v=${encodeURIComponent(latest.generatedAt)}`}
              width={592}
              height={256}
              alt={`The latest weather landscape for ZIP ${latest.zip}${latest.place ? ` (${latest.place})` : ''}`}
            />
          ) : (
            <img
              class="picture pixel"
              src="/assets/example.png"
              width={592}
              height={256}
              alt="An example weather landscape: an afternoon shower, a clear night and a breezy morning"
            />
          )}
          <figcaption>
            {latest ? (
              <>
                Live: ZIP <a href="/forecasts">{latest.zip}</a>
                {latest.place ? `, ${latest.place}` : ''}, drawn {ago(latest.generatedAt, props.nowMs)} (
                <time datetime={latest.generatedAt}>{dateTimeUtc(latest.generatedAt)}</time>).
              </>
            ) : (
              <>An example drawn by the renderer from a made-up forecast: no ZIP has been generated yet.</>
            )}
          </figcaption>
        </figure>
      </section>

      <h2>How it works</h2>
      <ol class="steps">
        <li>
          <strong>Fetch.</strong> Every {props.cadenceMinutes} minutes each active ZIP code's forecast is fetched from Open-Meteo (hourly temperature, pressure,
          clouds, rain, snow and wind).
        </li>
        <li>
          <strong>Draw.</strong> One job per configured format is queued; the renderer draws the scene from its own pixel sprites and stores the picture.
        </li>
        <li>
          <strong>Show.</strong> Every picture has a stable URL: an e-ink device fetches its BMP, a web page embeds the PNG.
        </li>
      </ol>

      <h2>Use a picture</h2>
      <p>
        Replace <code>{sampleZip}</code> with your ZIP code. An unknown format falls back to <code>rgb_light</code>.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Format</th>
              <th scope="col">URL</th>
              <th scope="col">Size</th>
              <th scope="col">Colours</th>
            </tr>
          </thead>
          <tbody>
            {FORMAT_NAMES.map((format) => (
              <tr>
                <td>
                  <code>{format}</code>
                </td>
                <td>
                  <code>/{imageKey(sampleZip, format)}</code>
                </td>
                <td>
                  {FORMATS[format].width}×{FORMATS[format].height} {FORMATS[format].ext.toUpperCase()}
                </td>
                <td>{COLOURS[format]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
