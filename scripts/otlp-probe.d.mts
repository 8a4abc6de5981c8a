/** Resolves to undefined when something answers HTTP at the endpoint, else to the advice `npm start` prints. */
export function probeOtlpEndpoint(endpoint: string, timeoutMs?: number): Promise<string | undefined>;
