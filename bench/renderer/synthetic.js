// Synthetic process rows and deltas shaped like the supervisor's (main/protocol/rows.ts).

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Synthetic {
  constructor(count, seed = 1) {
    this.random = mulberry32(seed);
    this.seq = 0;
    this.time = Date.now();
    this.nextNumber = 1;
    /** The current rows, in insertion order. */
    this.rows = [];
    for (let i = 0; i < count; i += 1) this.rows.push(this.newRow());
  }

  newRow() {
    const n = this.nextNumber++;
    return {
      id: `p${n}`,
      name: `job-${n}`,
      kind: n % 7 === 0 ? 'worker' : 'process',
      command: 'python3',
      args: ['job.py', '--part', String(n)],
      cwd: null,
      pid: 10_000 + n,
      isAlive: true,
      daemon: n % 3 === 0,
      exitcode: null,
      state: 'running',
      suspended: false,
      error: null,
      target: null,
      targetArgs: [],
      kwargs: null,
      returnValue: null,
      targetError: null,
      cpu: this.random() * 100,
      memory: Math.floor(this.random() * 200 * 2 ** 20),
      startedAt: this.time - Math.floor(this.random() * 3_600_000),
      endedAt: null,
      poolId: n % 7 === 0 ? 'pool1' : null,
      poolName: n % 7 === 0 ? 'Pool-1' : null,
      tasksDone: n % 7 === 0 ? Math.floor(this.random() * 100) : 0,
      restarts: 0,
      nextRestartAt: null,
      previousExitcodes: [],
    };
  }

  snapshot() {
    return {
      seq: this.seq,
      time: this.time,
      processes: this.rows,
      pools: [],
      tasks: [],
      cpuHistory: {},
      app: null,
      sampleIntervalMs: 1000,
    };
  }

  /**
   * The next second's delta: every row gets new CPU and memory figures (as a sample does), so every row
   * changes; with mode 'churn', 1% of the rows end and are removed and as many new ones appear.
   */
  delta(mode = 'all') {
    this.seq += 1;
    this.time += 1000;
    const removed = [];
    if (mode === 'churn') {
      const churn = Math.max(1, Math.floor(this.rows.length / 100));
      for (let i = 0; i < churn; i += 1) {
        const index = Math.floor(this.random() * this.rows.length);
        removed.push(this.rows[index].id);
        this.rows[index] = this.rows[this.rows.length - 1];
        this.rows.pop();
      }
      for (let i = 0; i < churn; i += 1) this.rows.push(this.newRow());
    }
    const random = this.random;
    this.rows = this.rows.map((row) => ({ ...row, cpu: random() * 100, memory: Math.floor(random() * 200 * 2 ** 20) }));
    return {
      seq: this.seq,
      time: this.time,
      processes: this.rows,
      removedProcesses: removed,
      pools: [],
      removedPools: [],
      tasks: [],
      sampled: true,
      app: null,
    };
  }
}
