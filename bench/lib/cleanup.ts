/**
 * Every process or server the bench starts registers its stop function here, so it is stopped
 * on the normal path (each module's try/finally releases it), on an error, and on Ctrl-C / SIGTERM
 * (which skip finally blocks).
 */
const pending = new Map<number, { name: string; stop: () => Promise<void> }>();
let nextId = 0;

/** Registers `stop`; returns a function that runs it once and unregisters it. */
export function track(name: string, stop: () => Promise<void>): () => Promise<void> {
  const id = nextId++;
  pending.set(id, { name, stop });
  return async () => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    await entry.stop();
  };
}

/** Stops everything still registered, newest first; errors are reported, never thrown. */
export async function stopAll(): Promise<void> {
  const entries = [...pending.entries()].reverse();
  pending.clear();
  for (const [, { name, stop }] of entries) {
    try {
      await stop();
    } catch (error) {
      console.error(`[bench] could not stop ${name}: ${String(error)}`);
    }
  }
}

export function stillRunning(): string[] {
  return [...pending.values()].map((e) => e.name);
}

let installed = false;
export function stopAllOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n[bench] ${signal}: stopping ${stillRunning().join(', ') || 'nothing'}`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}
