// The bench page: the real store and ProcessTable (Bench.svelte), the hand-written floor table
// (floor.js), synthetic snapshots and deltas (synthetic.js), and the frame measurements (measure.js).
// Driven from bench/rows/5-renderer.ts through window.pooldeckBench.
import { mount } from 'svelte';
import '../../renderer/app.css';
import Bench from './Bench.svelte';
import { FloorTable } from './floor.js';
import { measureScroll, measureUpdates } from './measure.js';
import { Synthetic } from './synthetic.js';

const ours = {};
mount(Bench, { target: document.getElementById('app'), props: { expose: (api) => Object.assign(ours, api) } });
const floorHost = document.getElementById('floor');

let synthetic = null;
let floor = null;

/** Which table is on screen: 'ours' or 'floor'. Only one is in the document at a time. */
function show(which) {
  document.getElementById('app').hidden = which !== 'ours';
  floorHost.hidden = which !== 'floor';
}

window.pooldeckBench = {
  /** A fresh set of `count` running processes in both tables. */
  load(count, seed = 1) {
    synthetic = new Synthetic(count, seed);
    ours.load(synthetic.snapshot());
    floor?.dispose();
    floor = new FloorTable(floorHost, synthetic.rows);
    return { rows: count };
  },
  /** Sort our table by a column (clicks its header, as a user would) and the floor the same way. */
  sortBy(label) {
    ours.sortBy(label);
    floor.sortByCpu = label === 'CPU';
  },
  /**
   * `frames` updates, each a delta that changes every row (CPU, memory; uptime moves with the clock),
   * applied at the start of a frame. mode: 'all' | 'churn' (1% of rows end and 1% appear per delta).
   */
  async updates(which, frames, mode = 'all', maxMs = Infinity) {
    show(which);
    const apply = which === 'ours' ? (delta) => ours.apply(delta) : (delta) => floor.apply(delta);
    return measureUpdates(() => synthetic.delta(mode), apply, frames, maxMs);
  },
  /** Scrolls the table for `frames` frames, `step` px per frame; deltas arrive every `deltaMs` if given. */
  async scroll(which, frames, step, deltaMs = 0, mode = 'all', maxMs = Infinity) {
    show(which);
    const viewport = which === 'ours' ? ours.viewport() : floorHost;
    viewport.scrollTop = 0;
    const apply = which === 'ours' ? (delta) => ours.apply(delta) : (delta) => floor.apply(delta);
    return measureScroll(viewport, frames, step, deltaMs > 0 ? { every: deltaMs, next: () => synthetic.delta(mode), apply } : null, maxMs);
  },
  /** The control: frame intervals of the page doing nothing (what the machine's noise alone costs). */
  idle(frames) {
    show('none');
    return new Promise((resolve) => {
      const stamps = [];
      const tick = (time) => {
        stamps.push(time);
        if (stamps.length < frames) requestAnimationFrame(tick);
        else resolve(stamps.slice(1).map((stamp, i) => stamp - stamps[i]));
      };
      requestAnimationFrame(tick);
    });
  },
  renderedRows(which) {
    return which === 'ours' ? document.querySelectorAll('#app tbody tr[data-id]').length : floorHost.querySelectorAll('tbody tr').length;
  },
};
document.body.dataset.ready = 'true';
