/** `k=v,k2=v2` as in the OTel spec: values are URL-encoded, blanks around entries ignored. */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string>;
