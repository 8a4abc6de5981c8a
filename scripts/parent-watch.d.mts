/** Calls `onGone` once, within `intervalMs` (default 1000), after this process's parent exits. */
export function whenParentExits(onGone: () => void, intervalMs?: number): void;
