import { describe, expect, it } from 'vitest';
import { storageKeyTemplate } from '../../../src/storage/key-templates';

describe('storageKeyTemplate (what KV and R2 spans are named after)', () => {
  it.each([
    ['zip:78729', 'zip:{zip}'],
    ['zip:78729:registered', 'zip:{zip}:registered'],
    ['geo:78729', 'geo:{zip}'],
    ['weather:78729', 'weather:{zip}'],
    ['formats:78729', 'formats:{zip}'],
    ['formats:78729:rgb_dark', 'formats:{zip}:rgb_dark'],
    ['run:0123456789abcdef0123456789abcdef', 'run:{id}'],
    ['run:0123456789abcdef0123456789abcdef:dispatched', 'run:{id}:dispatched'],
    ['run:0123456789abcdef0123456789abcdef:failed:landscape-jobs:bw', 'run:{id}:failed:landscape-jobs:bw'],
    ['dlq:2026-12-05T10:11:12.000Z:fetch-jobs:abc123', 'dlq:{id}'],
    ['admin:session-revoked:6f1c2a9e-2b7d-4c1e-9a3f-0d8e7c6b5a41', 'admin:session-revoked:{id}'],
    ['admin:session-generation', 'admin:session-generation'],
    ['78729/bw.bmp', '{zip}/bw.bmp'],
    ['78729/rgb_light.png', '{zip}/rgb_light.png'],
    ['78729/failure.json', '{zip}/failure.json'],
    ['formats:', 'formats:'],
    ['zip:', 'zip:'],
  ])('%s → %s', (key, template) => {
    expect(storageKeyTemplate(key)).toBe(template);
  });

  it.each(['run:0123abc', 'geo:7872', 'some/other/key-42', '78729/../x.png'])(
    'gives no template for a key of another shape (%s): the span is named after its binding',
    (key) => {
      expect(storageKeyTemplate(key)).toBeUndefined();
    },
  );
});
