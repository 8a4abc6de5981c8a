import { describe, expect, it } from 'vitest';
import { routeTemplate } from '../../../src/otel/http-route';

describe('routeTemplate', () => {
  it.each([
    ['/admin/runs/:runId{[0-9a-f]{32}}', '/admin/runs/:runId'],
    ['/sprites/:file{[a-z0-9-]+\\.png}', '/sprites/:file'],
    ['/assets/guide/:file{[a-z-]+\\.png}', '/assets/guide/:file'],
    ['/:zip/:file', '/:zip/:file'],
    ['/admin/generate', '/admin/generate'],
    ['/', '/'],
  ])('names %s as the template %s', (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });
});
