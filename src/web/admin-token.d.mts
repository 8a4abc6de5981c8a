/** The shortest ADMIN_TOKEN the worker accepts, in characters (after trimming). */
export const ADMIN_TOKEN_MIN_LENGTH: number;
/** What is wrong with this ADMIN_TOKEN, in a sentence; undefined when it is strong enough. */
export function adminTokenProblem(token: string | undefined): string | undefined;
