// Lets `npm start` stop its stack when whatever started it exits without passing a signal on: npm
// killed with SIGKILL, or a wrapper in between that dies first. (Checked with npm 11 and dash: without
// the `exec` in package.json's start script, npm forwards SIGTERM only to the `sh -c` it runs the
// script in; that shell dies without passing it on, and this script was left running with wrangler,
// workerd and the port.)

/**
 * Calls `onGone` once, within `intervalMs`, after this process's parent exits.
 *
 * It watches `process.ppid`, which the kernel changes the moment the parent exits (the orphan is
 * re-parented to init or the nearest subreaper): unlike `process.kill(ppid, 0)` a recycled pid cannot
 * fool it. stdin cannot tell instead: a background job of a non-interactive shell reads /dev/null.
 */
export function whenParentExits(onGone, intervalMs = 1000) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  // Never the reason the process stays alive.
  timer.unref();
}
