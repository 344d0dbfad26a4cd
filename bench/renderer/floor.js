// The no-framework floor: a plain full table (every row in the DOM, as a hand-written page would
// have it), updated by hand: only the cells whose text changed are written.
import { formatBytes, formatCpu, formatDuration, uptimeMs } from '../../renderer/lib/format.js';

const CPU = { dividedByCores: false, cores: 2 };
const HEADERS = ['Name', 'PID', 'Alive', 'Daemon', 'Exit code', 'State', 'CPU', 'Memory', 'Uptime', 'Pool', 'Tasks'];

function cellTexts(row, now) {
  return [
    row.name,
    row.pid === null ? '' : String(row.pid),
    row.isAlive ? 'yes' : 'no',
    row.daemon ? 'yes' : 'no',
    row.exitcode === null ? '' : String(row.exitcode),
    row.state,
    formatCpu(row.cpu, CPU),
    formatBytes(row.memory),
    formatDuration(uptimeMs(row.startedAt, row.endedAt, now)),
    row.poolName ?? '',
    row.kind === 'process' ? '' : String(row.tasksDone),
  ];
}

export class FloorTable {
  constructor(host, rows) {
    this.host = host;
    this.sortByCpu = false;
    this.entries = new Map();
    const table = document.createElement('table');
    table.className = 'floor-table';
    const head = table.createTHead().insertRow();
    for (const title of HEADERS) {
      const th = document.createElement('th');
      th.textContent = title;
      head.appendChild(th);
    }
    this.body = table.createTBody();
    const now = Date.now();
    for (const row of rows) this.add(row, now);
    host.replaceChildren(table);
  }

  add(row, now) {
    const tr = document.createElement('tr');
    const texts = cellTexts(row, now);
    const cells = texts.map((text, index) => {
      const td = document.createElement('td');
      if (index === 1 || index >= 6) td.className = 'num';
      td.textContent = text;
      tr.appendChild(td);
      return td;
    });
    this.body.appendChild(tr);
    this.entries.set(row.id, { row, tr, cells, texts });
  }

  /** Applies a delta by hand; returns the ms of script it took. */
  apply(delta) {
    const started = performance.now();
    for (const id of delta.removedProcesses) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      entry.tr.remove();
      this.entries.delete(id);
    }
    for (const row of delta.processes) {
      const entry = this.entries.get(row.id);
      if (!entry) {
        this.add(row, delta.time);
        continue;
      }
      entry.row = row;
      const texts = cellTexts(row, delta.time);
      for (let i = 0; i < texts.length; i += 1) {
        if (texts[i] !== entry.texts[i]) entry.cells[i].textContent = texts[i];
      }
      entry.texts = texts;
    }
    if (this.sortByCpu) {
      const ordered = [...this.entries.values()].sort((a, b) => (b.row.cpu ?? -1) - (a.row.cpu ?? -1));
      for (const entry of ordered) this.body.appendChild(entry.tr);
    }
    return performance.now() - started;
  }

  dispose() {
    this.host.replaceChildren();
  }
}
