/**
 * Keeps the last few objects it is given alive, in a fixed ring, for one reason: so that V8 keeps
 * their object shapes (hidden classes) between invocations.
 *
 * A full collection that finds no object of a shape alive drops the shape, and with it the
 * optimized code of every function that embedded it ("embedded weak objects cleared" under
 * `--trace-deopt`). Between invocations none of our spans, contexts or log lines is alive. The
 * traced generator in Node (bench/lib/bundle-in-node.mjs) lost the optimized code of its tracer, its
 * context layers and its OTLP writer that way at one full collection in three or four. It then ran
 * them unoptimized for 25 to 100 batches: `startProcessSpan` only got Maglev code back 100 batches later.
 * With the last spans and log lines kept, no tracing function was thrown away at the seven full
 * collections past the first batch of a 300-batch run, and V8 compiled 202 functions in its last
 * 150 batches instead of 283 (`--trace-deopt --trace-opt`, 2026-12-06). Against the build before it
 * (`bench:ab`, bench/README.md): the dispatcher's tracing −3.6 µs a message in two runs (95 %
 * interval −5.0 to −2.2 in the first); the generator's within its noise in three. (The context
 * layer kept since f3f05a4 was not in those runs: it is kept so that `getValue`'s code survives too.
 * Nor was the OTLP writer kept since 97ad2f4, `ByteWriter.kept` in otlp-json.ts: with the rest kept,
 * the writer's code was still thrown away once in 150 batches past the warm-up, 2026-12-07.)
 */
export class ShapeKeeper<T extends object> {
  private readonly ring: Array<T | undefined>;
  private next = 0;

  constructor(size: number) {
    this.ring = new Array<T | undefined>(size).fill(undefined);
  }

  keep(value: T): void {
    this.ring[this.next] = value;
    this.next = this.next + 1 === this.ring.length ? 0 : this.next + 1;
  }
}
