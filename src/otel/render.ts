import { SpanKind } from '@opentelemetry/api';
import type { FormatName } from '../domain/formats';
import type { Forecast } from '../domain/forecast';
import { renderLandscape } from '../render';
import { inLeafSpan, tracerFor } from './spans';

/**
 * The renderer, traced: an INTERNAL span `render landscape` with what was drawn. A leaf span: the
 * renderer starts no spans and writes no log lines. (Timed in Node by the bench: workerd's clock
 * stands still during CPU work.)
 */
export function renderLandscapeTraced(forecast: Forecast, format: FormatName): ReturnType<typeof renderLandscape> {
  return inLeafSpan(tracerFor('render'), 'render landscape', { kind: SpanKind.INTERNAL }, (span) => {
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
