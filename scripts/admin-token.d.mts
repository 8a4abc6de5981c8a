/** The shortest ADMIN_TOKEN `npm start` and `npm run deploy` accept. */
export const MIN_ADMIN_TOKEN_LENGTH: number;
/** Why `token` is refused, or undefined when it is fine. */
export function adminTokenProblem(token: string | undefined): string | undefined;
