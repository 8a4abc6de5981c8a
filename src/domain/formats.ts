/** The image formats users and e-ink devices in the field rely on (see README "Image formats"). */
export const FORMATS = {
  rgb_light: { ext: 'png', contentType: 'image/png', width: 296, height: 128 },
  rgb_dark: { ext: 'png', contentType: 'image/png', width: 296, height: 128 },
  bw: { ext: 'bmp', contentType: 'image/bmp', width: 296, height: 128 },
  bwi: { ext: 'bmp', contentType: 'image/bmp', width: 296, height: 128 },
  eink: { ext: 'bmp', contentType: 'image/bmp', width: 128, height: 296 },
} as const;

export type FormatName = keyof typeof FORMATS;
export type FormatSpec = (typeof FORMATS)[FormatName];

export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

/** Always generated for every ZIP and the fallback for unknown format names. */
export const DEFAULT_FORMAT: FormatName = 'rgb_light';

export function isFormatName(value: unknown): value is FormatName {
  return typeof value === 'string' && Object.hasOwn(FORMATS, value);
}

/** R2 key of the image for one ZIP and format: `{zip}/{format}.{png|bmp}`. */
export function imageKey(zip: string, format: FormatName): string {
  return `${zip}/${format}.${FORMATS[format].ext}`;
}
