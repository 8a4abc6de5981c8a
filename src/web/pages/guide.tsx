import { encodings, HOURS_SHOWN, NOW_ZONE_PX, PX_PER_HOUR, SPRITES, type SpriteName } from '../../render';
import type { GuideCrop } from '../illustrations';
import { Layout } from './layout';

/*
 * How to read the picture. Every image here is drawn by the renderer (sprites at /sprites/*.png,
 * details cut from real renders at /assets/guide/*.png) and every threshold is quoted from
 * src/render/encodings.ts, so the guide cannot drift from the pictures.
 */

const SPRITE_SCALE = 4;

function Sprite(props: { name: SpriteName; alt: string; caption?: string }) {
  const sprite = SPRITES[props.name];
  return (
    <figure>
      <img
        class="sprite pixel"
        src={`/sprites/${props.name}.png`}
        width={sprite.width * SPRITE_SCALE}
        height={sprite.height * SPRITE_SCALE}
        alt={props.alt}
        data-sprite={props.name}
      />
      {props.caption ? <figcaption>{props.caption}</figcaption> : null}
    </figure>
  );
}

function Crop(props: { name: GuideCrop; alt: string; caption: string }) {
  return (
    <figure>
      <img class="crop pixel" src={`/assets/guide/${props.name}.png`} alt={props.alt} />
      <figcaption>{props.caption}</figcaption>
    </figure>
  );
}

const mph = (ms: number) => Math.round(ms * 2.236936);
const DIRECTION = ['north', 'east', 'south', 'west'];

function windRanges(): string[] {
  const [a, b, c] = encodings.TREE_SIZE_LIMITS_MS;
  const edges = [encodings.CALM_WIND_MS, a, b, c];
  return edges.map((from, i) => {
    const to = edges[i + 1];
    return to === undefined ? `${from} m/s and up (${mph(from)}+ mph)` : `${from}–${to} m/s (${mph(from)}–${mph(to)} mph)`;
  });
}

function cloudRanges(): string[] {
  const steps = [encodings.CLEAR_SKY_PCT, ...encodings.CLOUD_SIZE_STEPS_PCT, encodings.OVERCAST_PCT];
  return steps.map((from, i) => (steps[i + 1] === undefined ? `${from}% and more` : `${from}–${steps[i + 1]}%`));
}

export function GuidePage() {
  const winds = windRanges();
  const clouds = cloudRanges();
  return (
    <Layout title="Guide" nav="guide" description="How to read a weather landscape: what every element of the picture means.">
      <h1>How to read the picture</h1>
      <section class="hero" aria-label="An example picture">
        <div>
          <p class="lead">
            Time runs from left to right. The house stands at <strong>now</strong>; after a {NOW_ZONE_PX}-pixel "now" zone every hour takes {PX_PER_HOUR}{' '}
            pixels, and the right edge is {HOURS_SHOWN} hours ahead.
          </p>
          <p>Everything else in the picture is the weather at that moment, drawn with the sprites below.</p>
        </div>
        <figure>
          <img
            class="picture pixel"
            src="/assets/example.png"
            width={592}
            height={256}
            alt="An example weather landscape with a house, hills, rain, trees, the sun and the moon"
          />
          <figcaption>An example, drawn by the renderer from a made-up forecast.</figcaption>
        </figure>
      </section>

      <h2>The elements</h2>
      <ul class="legend">
        <li id="now">
          <h3>Now: the house</h3>
          <div class="sprites">
            <Sprite name="house" alt="The house sprite" />
          </div>
          <p>The left edge of the timeline. The current temperature is printed under it.</p>
        </li>

        <li id="temperature">
          <h3>Temperature: the ground line</h3>
          <Crop name="temperature" alt="A valley of the ground line with the minimum temperature printed under it" caption="The coldest hour, labelled" />
          <p>
            Warmer is higher. The lowest and highest temperatures of the next {HOURS_SHOWN} hours are printed in small digits under the line, where they happen:
            °F for US ZIP codes.
          </p>
        </li>

        <li id="pressure">
          <h3>Air pressure: the chimney smoke</h3>
          <div class="pair">
            <Crop name="smoke-low" alt="The house with its smoke lying flat" caption={`≤ ${encodings.LOW_PRESSURE_HPA} hPa: flat`} />
            <Crop name="smoke-high" alt="The house with its smoke rising straight up" caption={`≥ ${encodings.HIGH_PRESSURE_HPA} hPa: rising`} />
          </div>
          <p>Low pressure (unsettled weather) lays the smoke flat; high pressure (settled weather) lets it rise straight up; in between it leans.</p>
        </li>

        <li id="sun">
          <h3>Sunrise and sunset: sun and moon</h3>
          <div class="sprites">
            <Sprite name="sun" alt="The sun sprite" caption="sunrise" />
            <Sprite name="moon" alt="The moon sprite" caption="sunset" />
          </div>
          <p>The sun stands where the sun rises, the moon where it sets, at the hour it happens.</p>
        </li>

        <li id="noon">
          <h3>Noon and midnight: flowers</h3>
          <div class="sprites">
            <Sprite name="flower-noon" alt="The open flower that marks local noon" caption="noon" />
            <Sprite name="flower-midnight" alt="The closed flower that marks local midnight" caption="midnight" />
          </div>
          <p>Flowers on the ground mark local noon and midnight, so you can count the hours.</p>
        </li>

        <li id="clouds">
          <h3>Cloud cover: clouds</h3>
          <div class="sprites">
            {([1, 2, 3, 4, 5] as const).map((size, i) => (
              <Sprite name={`cloud-${size}`} alt={`Cloud size ${size}, for ${clouds[i]} cover`} caption={clouds[i]} />
            ))}
          </div>
          <p>
            The sky is clear below {encodings.CLEAR_SKY_PCT}% cover; clouds grow with the cover, and from {encodings.OVERCAST_PCT}% they close into a heavy
            bank.
          </p>
        </li>

        <li id="precipitation">
          <h3>Rain and snow</h3>
          <div class="pair">
            <Crop name="rain" alt="Rain falling as blue dashes under a cloud bank" caption="rain: dashes" />
            <Crop name="snow" alt="Snow falling as blue dots under a cloud bank" caption="snow: dots" />
          </div>
          <p>
            Rain falls as dashes and snow as dots inside the hour it is forecast for; the heavier it is, the denser they fall. Less than{' '}
            {encodings.TRACE_PRECIPITATION_MM} mm per hour is not drawn.
          </p>
        </li>
      </ul>

      <h2 id="wind">Wind: trees</h2>
      <p>
        A tree stands every two hours. Its height is the wind speed (calm, under {encodings.CALM_WIND_MS} m/s: no trees); its species is the direction the wind
        comes <em>from</em>. Within {encodings.MIXED_BAND_DEG}° of north-east, south-east, south-west or north-west the two neighbouring species take turns.
      </p>
      <div class="table-wrap species">
        <table>
          <thead>
            <tr>
              <th scope="col">Wind from</th>
              {winds.map((range) => (
                <th scope="col">{range}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {encodings.SPECIES_BY_QUARTER.map((species, quarter) => (
              <tr>
                <th scope="row">
                  {DIRECTION[quarter]}: {species}
                </th>
                {([1, 2, 3, 4] as const).map((size) => (
                  <td>
                    <div class="sprites">
                      <Sprite name={`${species}-${size}`} alt={`${species} tree, size ${size}: wind from the ${DIRECTION[quarter]}, ${winds[size - 1]}`} />
                    </div>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Colours and formats</h2>
      <p>
        The colour pictures use brown for the soil and tree trunks, grey for smoke and blue for rain and snow; the one-bit formats for e-ink panels draw
        everything in black on white (or inverted). The <code>eink</code> format is the same picture turned 90° for a portrait-mounted panel, with "now" at the
        top; its rows are stored in the order the panel's firmware copies them, so an ordinary image viewer shows it mirrored top to bottom.
      </p>
    </Layout>
  );
}
