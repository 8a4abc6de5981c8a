// The probe of bench/lib/cpu-time-probe.ts: burns CPU on request (`?iterations=N`), counted in loop
// iterations because workerd's clock stands still while JavaScript runs. Plain JavaScript: Miniflare
// loads it as is.
export default {
  fetch(request) {
    const iterations = Number(new URL(request.url).searchParams.get('iterations') ?? '0');
    let x = 0;
    for (let i = 0; i < iterations; i++) x = (x * 31 + i) | 0;
    return new Response(String(x));
  },
};
