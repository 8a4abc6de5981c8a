import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_MIN_LENGTH, adminTokenProblem } from '../../../scripts/admin-token.mjs';

describe('the ADMIN_TOKEN strength rule (shared by the worker, npm start and deploy)', () => {
  it('accepts what the usual generators give: 128 bits or more in 32+ visible characters', () => {
    expect(ADMIN_TOKEN_MIN_LENGTH).toBe(32);
    for (const token of [randomBytes(16).toString('hex'), randomBytes(24).toString('base64'), randomBytes(24).toString('base64url'), `  ${'k'.repeat(40)}\n`]) {
      expect(adminTokenProblem(token), token).toBeUndefined();
    }
  });

  it('refuses a missing, short or unsendable token, saying why and what to do', () => {
    expect(adminTokenProblem(undefined)).toBe('ADMIN_TOKEN is not set.');
    expect(adminTokenProblem('   ')).toBe('ADMIN_TOKEN is not set.');
    expect(adminTokenProblem('test-admin-token')).toBe(
      'ADMIN_TOKEN is 16 characters; it must be at least 32 to resist guessing (e.g. `openssl rand -hex 16`).',
    );
    // 31 after trimming: surrounding whitespace does not count.
    expect(adminTokenProblem(` ${'x'.repeat(31)} `)).toMatch(/^ADMIN_TOKEN is 31 characters/);
    expect(adminTokenProblem(`${'x'.repeat(20)} ${'x'.repeat(20)}`)).toMatch(/visible ASCII/);
    expect(adminTokenProblem(`${'é'.repeat(40)}`)).toMatch(/visible ASCII/);
  });
});
