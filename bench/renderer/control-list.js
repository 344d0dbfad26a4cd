// The scroll control: a minimal windowed list that is not ours and uses no framework. A tall spacer
// gives the scrollbar its range; a fixed pool of absolutely positioned rows (the view plus the same
// overscan as ours) is moved and re-filled with plain text on every scroll event. It has our table's
// row height, viewport, sticky header and, as plain text, the columns our table shows at 1280 px (no
// badges, dots or sparklines), so a scroll frame here costs what the browser alone needs to show that
// much text moving: whatever our table adds is above it.
import { formatCpu, formatDuration, uptimeMs } from '../../renderer/lib/format.js';
import { commandText } from '../../renderer/lib/process-sort.js';

const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 30;
const OVERSCAN = 8;
const CPU = { dividedByCores: false, cores: 2 };

/** The columns ours shows at 1280 px: widths from renderer/lib/table-columns.ts (null shares the rest). */
const COLUMNS = [
  { title: 'Name', width: null, text: (row) => row.name },
  { title: 'Command', width: null, text: (row) => commandText(row) },
  { title: 'PID', width: 72, num: true, text: (row) => (row.pid === null ? '' : String(row.pid)) },
  { title: 'Alive', width: 62, text: (row) => (row.isAlive ? 'yes' : 'no') },
  { title: 'Exit code', width: 112, num: true, text: (row) => (row.exitcode === null ? '' : String(row.exitcode)) },
  { title: 'State', width: 128, text: (row) => row.state },
  { title: 'Result', width: null, text: (row) => row.returnValue ?? '' },
  { title: 'CPU', width: 124, num: true, text: (row) => formatCpu(row.cpu, CPU) },
  { title: 'Uptime', width: 72, num: true, text: (row, now) => formatDuration(uptimeMs(row.startedAt, row.endedAt, now)) },
  { title: 'Pool', width: 100, text: (row) => row.poolName ?? '' },
];

function cellsRow(className) {
  const element = document.createElement('div');
  element.className = className;
  const cells = COLUMNS.map(({ width, num }) => {
    const cell = document.createElement('span');
    if (width !== null) cell.style.width = `${width}px`;
    else cell.className = 'fill';
    if (num) cell.classList.add('num');
    element.appendChild(cell);
    return cell;
  });
  return { element, cells };
}

export class ControlList {
  /** `viewport` is an empty element with the size our table's viewport has. */
  constructor(viewport, rows) {
    this.viewport = viewport;
    this.rows = rows;
    this.sortByCpu = false;
    this.now = Date.now();
    const header = cellsRow('control-head');
    header.cells.forEach((cell, index) => (cell.textContent = COLUMNS[index].title));
    this.spacer = document.createElement('div');
    this.spacer.className = 'control-spacer';
    const slots = Math.ceil((viewport.clientHeight - HEADER_HEIGHT) / ROW_HEIGHT) + 2 * OVERSCAN + 1;
    this.slots = Array.from({ length: slots }, () => {
      const slot = cellsRow('control-row');
      slot.index = -1;
      slot.texts = [];
      this.spacer.appendChild(slot.element);
      return slot;
    });
    viewport.replaceChildren(header.element, this.spacer);
    this.onScroll = () => this.fill();
    viewport.addEventListener('scroll', this.onScroll);
    this.resize();
  }

  resize() {
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    this.fill(true);
  }

  /** Moves the slots to the rows in view (from the scroll event's scrollTop) and writes the text that changed. */
  fill(force = false) {
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    this.slots.forEach((slot, k) => {
      const index = first + k;
      const row = this.rows[index];
      if (!row) {
        slot.element.style.display = 'none';
        slot.index = -1;
        return;
      }
      slot.element.style.display = '';
      if (slot.index !== index) {
        slot.element.style.top = `${index * ROW_HEIGHT}px`;
        slot.index = index;
      } else if (!force) return;
      COLUMNS.forEach((column, i) => {
        const text = column.text(row, this.now);
        if (text !== slot.texts[i]) slot.cells[i].textContent = slot.texts[i] = text;
      });
    });
  }

  /** Takes a delta's rows (sorted by CPU if asked) and re-fills the window; returns the ms of script. */
  apply(delta) {
    const started = performance.now();
    const removed = new Set(delta.removedProcesses);
    const rows = removed.size === 0 ? delta.processes : delta.processes.filter((row) => !removed.has(row.id));
    this.rows = this.sortByCpu ? [...rows].sort((a, b) => (b.cpu ?? -1) - (a.cpu ?? -1)) : rows;
    this.now = delta.time;
    this.resize();
    return performance.now() - started;
  }

  dispose() {
    this.viewport.removeEventListener('scroll', this.onScroll);
    this.viewport.replaceChildren();
  }
}
