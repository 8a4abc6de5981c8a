import { SpanKind } from '@opentelemetry/api';
import type { FormatName } from '../domain/formats';
import type { Forecast } from '../domain/forecast';
import { renderLandscape } from '../render';
import { inSpan, tracerFor } from './spans';

/** The renderer, traced: an INTERNAL span `render landscape` with what was drawn. (Timed in Node by the bench: workerd's clock stands still during CPU work.) */
export function renderLandscapeTraced(forecast: Forecast, format: FormatName): ReturnType<typeof renderLandscape> {
  return inSpan(tracerFor('render'), 'render landscape', { kind: SpanKind.INTERNAL }, (span) => {
    const result = renderLandscape(forecast, format);
    span.setAttributes({
      'landscape.width': result.width,
      'landscape.height': result.height,
      'landscape.bytes': result.bytes.byteLength,
      'landscape.content_type': result.contentType,
    });
    return result;
  });
}
