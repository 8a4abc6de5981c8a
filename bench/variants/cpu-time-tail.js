// A classic Tail Worker (`tail(events)`): keeps, per invocation of the worker it is attached to, the
// runtime's own `cpuTime` and `wallTime` (ms) from the TraceItem; GET answers them oldest first.
// Used by bench/lib/cpu-time-probe.ts. Plain JavaScript: Miniflare loads it as is.
const items = [];

export default {
  tail(events) {
    for (const event of events) items.push({ outcome: event.outcome, cpuTime: event.cpuTime, wallTime: event.wallTime });
  },
  fetch() {
    return Response.json(items);
  },
};
