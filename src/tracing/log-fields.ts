import { ATTR_FORMAT, ATTR_REQUEST_ID, ATTR_RUN_ID, ATTR_RUN_TRIGGER, ATTR_ZIP } from './run-attributes';

/**
 * The run's words on every log line, under the names the queue bodies use (docs/logs.md): the
 * log bridge reads them from the context, so a line written anywhere inside a run says its ZIP,
 * format, run, trigger and the caller's request id without the call passing them.
 */
export const LOG_FIELDS: Readonly<Record<string, string>> = {
  [ATTR_ZIP]: 'zip_code',
  [ATTR_FORMAT]: 'format_name',
  [ATTR_RUN_ID]: 'run_id',
  [ATTR_RUN_TRIGGER]: 'trigger',
  [ATTR_REQUEST_ID]: 'request_id',
};
