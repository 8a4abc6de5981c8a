import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Env } from '../env';

/**
 * Cloudflare Access in front of /admin: Access signs a JWT for every request it lets through and
 * passes it in `Cf-Access-Jwt-Assertion`. We verify it ourselves (signature against the team's
 * JWKS, issuer, audience, expiry) so a request that reached the worker some other way, e.g. the
 * workers.dev hostname Access does not cover, is not trusted.
 * https://developers.cloudflare.com/cloudflare-one/identity/authorization-cookie/validating-json/
 */
export const ACCESS_JWT_HEADER = 'cf-access-jwt-assertion';

export interface AccessConfig {
  /** `https://<team>.cloudflareaccess.com`: the JWT issuer and where the certs live. */
  teamDomain: string;
  /** The Access application's AUD tag. */
  audience: string;
}

export interface AccessIdentity {
  /** Access user id (`sub`), or the service token's client id for service tokens. */
  subject: string;
  email?: string;
}

/** Both variables set, or Access is off (one alone is a misconfiguration: fail closed, accept nothing). */
export function accessConfig(env: Pick<Env, 'ACCESS_TEAM_DOMAIN' | 'ACCESS_AUD'>): AccessConfig | undefined {
  const domain = env.ACCESS_TEAM_DOMAIN?.trim();
  const audience = env.ACCESS_AUD?.trim();
  if (!domain || !audience) return undefined;
  const teamDomain = (/^https:\/\//i.test(domain) ? domain : `https://${domain}`).replace(/\/+$/, '');
  return { teamDomain, audience };
}

// One key set per team domain and isolate: jose caches the keys and refetches on an unknown `kid`
// (key rotation), with a cooldown so a flood of bad tokens cannot hammer the certs endpoint.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(teamDomain: string): ReturnType<typeof createRemoteJWKSet> {
  let jwks = keySets.get(teamDomain);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(`${teamDomain}/cdn-cgi/access/certs`), { timeoutDuration: 5000 });
    keySets.set(teamDomain, jwks);
  }
  return jwks;
}

/** The identity in a valid Access JWT; undefined for anything invalid (never throws). */
export async function verifyAccessJwt(token: string | undefined, config: AccessConfig): Promise<AccessIdentity | undefined> {
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, keySet(config.teamDomain), {
      issuer: config.teamDomain,
      audience: config.audience,
      algorithms: ['RS256'],
    });
    const subject = (typeof payload.sub === 'string' && payload.sub) || (typeof payload.common_name === 'string' && payload.common_name) || '';
    if (!subject) return undefined;
    return { subject, email: typeof payload.email === 'string' ? payload.email : undefined };
  } catch (error) {
    console.warn('access jwt rejected', { action: 'reject_access_jwt', error_type: (error as Error).name });
    return undefined;
  }
}
