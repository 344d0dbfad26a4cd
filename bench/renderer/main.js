// The bench page: the real store and ProcessTable (Bench.svelte), the hand-written floor table
// (floor.js), the scroll control, a minimal windowed list without a framework (control-list.js),
// synthetic snapshots and deltas (synthetic.js), and the frame measurements (measure.js).
// Driven from bench/rows/5-renderer.ts through window.pooldeckBench.
import { mount } from 'svelte';
import '../../renderer/app.css';
import Bench from './Bench.svelte';
import { ControlList } from './control-list.js';
import { FloorTable } from './floor.js';
import { measureScroll, measureUpdates } from './measure.js';
import { Synthetic } from './synthetic.js';

const ours = {};
mount(Bench, { target: document.getElementById('app'), props: { expose: (api) => Object.assign(ours, api) } });
const floorHost = document.getElementById('floor');
const controlHost = document.getElementById('control');

let synthetic = null;
let floor = null;
let control = null;

/** Which table is on screen: 'ours', 'floor' or 'control'. Only one is in the document at a time. */
function show(which) {
  document.getElementById('app').hidden = which !== 'ours';
  floorHost.hidden = which !== 'floor';
  controlHost.hidden = which !== 'control';
}

const tables = {
  ours: { viewport: () => ours.viewport(), apply: (delta) => ours.apply(delta) },
  floor: { viewport: () => floorHost, apply: (delta) => floor.apply(delta) },
  control: { viewport: () => controlHost, apply: (delta) => control.apply(delta) },
};

window.pooldeckBench = {
  /** A fresh set of `count` running processes in all three tables. */
  load(count, seed = 1) {
    synthetic = new Synthetic(count, seed);
    ours.load(synthetic.snapshot());
    floor?.dispose();
    floor = new FloorTable(floorHost, synthetic.rows);
    control?.dispose();
    // The control's viewport takes the place and size of ours (below our toolbar), and sizes its pool of
    // rows from that height: ours is measured while shown, then the control is made while shown.
    show('ours');
    const box = ours.viewport().getBoundingClientRect();
    Object.assign(controlHost.style, { marginTop: `${box.top}px`, width: `${box.width}px`, height: `${box.height}px` });
    show('control');
    control = new ControlList(controlHost, synthetic.rows);
    show('ours');
    return { rows: count };
  },
  /** Sort our table by a column (clicks its header, as a user would), the floor and the control the same way. */
  sortBy(label) {
    ours.sortBy(label);
    floor.sortByCpu = label === 'CPU';
    control.sortByCpu = label === 'CPU';
  },
  /**
   * `frames` updates, each a delta that changes every row (CPU, memory; uptime moves with the clock),
   * applied at the start of a frame. mode: 'all' | 'churn' (1% of rows end and 1% appear per delta).
   */
  async updates(which, frames, mode = 'all', maxMs = Infinity) {
    show(which);
    const { apply } = tables[which];
    return measureUpdates(() => synthetic.delta(mode), apply, frames, maxMs);
  },
  /** Scrolls a table ('ours', 'floor', 'control') for `frames` frames, `step` px per frame; deltas arrive every `deltaMs` if given. */
  async scroll(which, frames, step, deltaMs = 0, mode = 'all', maxMs = Infinity) {
    show(which);
    const { apply } = tables[which];
    const viewport = tables[which].viewport();
    viewport.scrollTop = 0;
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
    if (which === 'control') return [...controlHost.querySelectorAll('.control-row')].filter((row) => row.style.display !== 'none').length;
    return which === 'ours' ? document.querySelectorAll('#app tbody tr[data-id]').length : floorHost.querySelectorAll('tbody tr').length;
  },
};
document.body.dataset.ready = 'true';
