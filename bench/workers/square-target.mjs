// A Node target for bench/targets-map.ts: Pool({ target: 'bench/workers/square-target.mjs:square' }).
export function square(x) {
  return x * x;
}
