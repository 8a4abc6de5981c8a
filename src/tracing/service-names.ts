/** `service.name` of each worker, which is also its wrangler `name`. */
export const SERVICE_NAMES = {
  web: 'weather-landscape-web',
  fetcher: 'weather-fetcher',
  dispatcher: 'job-dispatcher',
  generator: 'landscape-generator',
} as const;
export type ServiceName = (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES];
