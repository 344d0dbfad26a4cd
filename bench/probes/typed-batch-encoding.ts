// Probe (not in npm test): what a typed-array batch encoding would save over JSON, per 25,000-item
// chunk, in CPU µs (process.cpuUsage, medians of 7 alternating rounds of 100): x² values (not small
// integers) as JSON vs a Float64Array in base64 (`f8`), and map items (small integers) as JSON vs an
// Int32Array in base64 (`i4`), each way. bench/python/typed_batch_encoding.py is the Python side.
// Run: npx tsx bench/probes/typed-batch-encoding.ts
const n = 25_000;
const calls = 100;
const rounds = 7;
const items = Array.from({ length: n }, (_, i) => i + 100_000);
const values = items.map((x) => x * x);

function encodeF8(list: number[]): string | null {
  const array = new Float64Array(list.length);
  for (let i = 0; i < list.length; i += 1) {
    const x = list[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return null;
    array[i] = x;
  }
  return Buffer.from(array.buffer).toString('base64');
}

function encodeI4(list: number[]): string | null {
  const array = new Int32Array(list.length);
  for (let i = 0; i < list.length; i += 1) {
    const x = list[i];
    if (typeof x !== 'number' || (x | 0) !== x) return null;
    array[i] = x;
  }
  return Buffer.from(array.buffer).toString('base64');
}

/** base64 of a typed array back into a plain array (a copy when the bytes are not aligned). */
function decode(text: string, View: Float64ArrayConstructor | Int32ArrayConstructor): number[] {
  const bytes = Buffer.from(text, 'base64');
  const size = View.BYTES_PER_ELEMENT;
  const view = bytes.byteOffset % size === 0 ? new View(bytes.buffer, bytes.byteOffset, bytes.length / size) : new View(new Uint8Array(bytes).buffer);
  const out = new Array<number>(view.length);
  for (let i = 0; i < view.length; i += 1) out[i] = view[i];
  return out;
}

const valuesJson = JSON.stringify(values);
const itemsJson = JSON.stringify(items);
const valuesF8 = encodeF8(values)!;
const itemsI4 = encodeI4(items)!;
const valueBytes = Buffer.from(new Float64Array(values).buffer);
const cases: Record<string, () => unknown> = {
  'values: JSON.stringify': () => JSON.stringify(values),
  'values: encode f8': () => encodeF8(values),
  'values: JSON.parse': () => JSON.parse(valuesJson),
  'values: decode f8 into an array': () => decode(valuesF8, Float64Array),
  '  base64 encode of 200 KB alone': () => valueBytes.toString('base64'),
  '  base64 decode of 200 KB alone': () => Buffer.from(valuesF8, 'base64'),
  'items: JSON.stringify': () => JSON.stringify(items),
  'items: encode i4': () => encodeI4(items),
  'items: JSON.parse': () => JSON.parse(itemsJson),
  'items: decode i4 into an array': () => decode(itemsI4, Int32Array),
};
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const [name, run] of Object.entries(cases)) {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i += 1) run();
    const used = process.cpuUsage(before);
    cpu[name].push((used.user + used.system) / calls);
  }
}
for (const [name, figures] of Object.entries(cpu)) {
  const sorted = [...figures].sort((a, b) => a - b);
  console.log(`${name.padEnd(34)} median ${sorted[rounds >> 1].toFixed(0)} µs CPU (min ${sorted[0].toFixed(0)}) per chunk of ${n}`);
}
