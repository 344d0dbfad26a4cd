// The rest of multiprocessing's contract (issue 7, section 2): kwargs, callbacks before get(),
// async and lazy inputs, `await using`, and a sane maximum for `processes`.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AsyncResult, Pool, TaskCancelledError } from '../../main/core/index.js';
import { MAX_PROCESSES_PER_CPU } from '../../main/core/pool-options.js';
import { itemsAhead } from '../../main/core/pool-plan.js';
import { NODE_WORKER, nodePool, pyPool, trackPools, treeAlive, until } from '../fixtures/pool-harness.js';

const { make, watch } = trackPools();

async function* asyncItems<T>(items: T[], failAfter?: Error): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
  if (failAfter) throw failAfter;
}

describe('keyword arguments', () => {
  it('Python helper: handler(*args, **kwargs); none unless some were given', async () => {
    const pool = make(pyPool({ processes: 1 }));
    expect(await pool.apply(['kwargs', 1], { scale: 2, name: 'x' })).toEqual({ args: [1], kwargs: { scale: 2, name: 'x' } });
    expect(await pool.apply(['kwargs', 1])).toEqual({ args: [1], kwargs: {} });
    const result = pool.applyAsync(['kwargs'], { kwargs: { a: [1, 2] } });
    expect(await result.get()).toEqual({ args: [], kwargs: { a: [1, 2] } });
    expect(pool.tasks[0].kwargs).toEqual({ scale: 2, name: 'x' });
    expect(pool.tasks[1].kwargs).toBeUndefined();
  });

  it('Node helper: kwargs come as one more, last argument, only when given', async () => {
    const pool = make(nodePool({ processes: 1 }));
    expect(await pool.apply(['arity', 1], { scale: 2 })).toEqual({ count: 2, last: { scale: 2 } });
    expect(await pool.apply(['arity', 1])).toEqual({ count: 1, last: 1 });
    expect(await pool.apply(['arity', 1], {})).toEqual({ count: 1, last: 1 });
  });

  it('bad kwargs throw at once, naming them; exec mode has none', () => {
    const pool = make(nodePool({ processes: 1 }));
    expect(() => pool.applyAsync(['echo'], { kwargs: [1] as unknown as Record<string, unknown> })).toThrow(/applyAsync: kwargs must be an object/);
    expect(() => pool.applyAsync(['echo'], { kwargs: { n: 1n } })).toThrow(/applyAsync: kwargs\.n is a bigint, which JSON can't carry/);
    const exec = make({ processes: 1, command: 'echo', mode: 'exec' });
    return expect(exec.apply(['x'], { n: 1 })).rejects.toThrow(/apply: kwargs: an exec-mode task runs a command line/);
  });
});

describe('callbacks run before get() and wait() resolve', () => {
  it('onResult, onError, and a map_async callback', async () => {
    const pool = make(nodePool({ processes: 1 }));
    const calls: string[] = [];
    const ok = pool.applyAsync(['double', 2], { onResult: (value) => calls.push(`result ${String(value)}`) });
    expect(await ok.get()).toBe(4);
    expect(calls).toEqual(['result 4']);
    const bad = pool.applyAsync(['fail', 'no'], { onError: (error) => calls.push(`error ${error.message}`) });
    await bad.wait();
    expect(calls).toEqual(['result 4', 'error no']);
    const timed = pool.applyAsync(['double', 5], { onResult: () => calls.push('timed') });
    expect(await timed.get(20_000)).toBe(10);
    expect(calls.at(-1)).toBe('timed');
    const all = pool.starmapAsync<number>([['double', 1]], undefined, { onResult: (values) => calls.push(`map ${values.join(',')}`) });
    await all.wait();
    expect(calls.at(-1)).toBe('map 2');
  });

  it('the same for an AsyncResult settled from outside a pool', async () => {
    let settle!: (ok: boolean, value: unknown) => void;
    let seen = false;
    const result = new AsyncResult<number>((s) => (settle = s), { onResult: () => (seen = true) });
    const got = result.get().then(() => seen);
    settle(true, 1);
    expect(await got).toBe(true);
  });
});

describe('map, starmap, imap and imapUnordered take iterables and async iterables', () => {
  it('async iterables give the same results as arrays', async () => {
    const pool = make(nodePool());
    expect(await pool.map(asyncItems(['initialized', 'initialized', 'initialized']), { chunksize: 2 })).toEqual([1, 1, 1]);
    expect(await pool.starmap(asyncItems([['double', 1], ['double', 2]]))).toEqual([2, 4]);
    const ordered: unknown[] = [];
    for await (const value of pool.imap(asyncItems(['pid', 'pid']))) ordered.push(typeof value);
    expect(ordered).toEqual(['number', 'number']);
    const unordered: unknown[] = [];
    for await (const value of pool.imapUnordered(['pid', 'pid', 'pid'].values())) unordered.push(typeof value);
    expect(unordered).toEqual(['number', 'number', 'number']);
  });

  it('imap reads an endless input lazily: a bounded number of items ahead of the values read', async () => {
    const pool = make(nodePool());
    let pulled = 0;
    let closed = false;
    function* endless(): Generator<string> {
      try {
        for (;;) {
          pulled += 1;
          yield 'pid';
        }
      } finally {
        closed = true;
      }
    }
    let read = 0;
    for await (const value of pool.imap<number>(endless())) {
      expect(typeof value).toBe('number');
      read += 1;
      if (read === 100) break;
    }
    const bound = read + itemsAhead(pool.processes, 1);
    expect(pulled).toBeLessThanOrEqual(bound);
    await until(() => closed, 'the input to be closed');
    pool.close();
    await pool.join();
    expect(pulled).toBeLessThanOrEqual(bound);
    expect(pool.counts.queued + pool.counts.running).toBe(0);
  });

  it('close() after imap: the rest of its input still runs as it is read, then join() resolves', async () => {
    const pool = make(nodePool());
    const count = itemsAhead(pool.processes, 1) + 500;
    const results = pool.imap<number>(Array.from({ length: count }, () => 'initialized'));
    pool.close();
    let read = 0;
    for await (const value of results) {
      expect(value).toBe(1);
      read += 1;
    }
    expect(read).toBe(count);
    await pool.join();
    expect(pool.counts.done).toBe(count);
  });

  it('imapUnordered over an endless async input, in chunks, stays bounded too', async () => {
    const pool = make(nodePool());
    let pulled = 0;
    async function* endless(): AsyncGenerator<string> {
      for (;;) {
        pulled += 1;
        yield 'pid';
      }
    }
    let read = 0;
    for await (const value of pool.imapUnordered<number>(endless(), { chunksize: 10 })) {
      expect(typeof value).toBe('number');
      read += 1;
      if (read === 500) break;
    }
    expect(pulled).toBeLessThanOrEqual(read + itemsAhead(pool.processes, 10) + 10);
  });

  it('an input that throws: the call fails with that error; tasks already sent finish, none lost', async () => {
    const pool = make(nodePool());
    const broken = new Error('the input broke');
    await expect(pool.map(asyncItems([1, 2], broken))).rejects.toBe(broken);
    await expect(pool.starmap(asyncItems([['double', 1]], broken))).rejects.toBe(broken);
    const values: unknown[] = [];
    const reading = (async () => {
      for await (const value of pool.imap(asyncItems(['pid', 'pid', 'pid'], broken))) values.push(value);
    })();
    await expect(reading).rejects.toBe(broken);
    expect(values).toHaveLength(3);
    function* throwing(): Generator<unknown[]> {
      yield ['double', 1];
      throw broken;
    }
    await expect(pool.starmap(throwing())).rejects.toBe(broken);
    const unordered = (async () => {
      for await (const _ of pool.imapUnordered(asyncItems(['pid'], broken))) void _;
    })();
    await expect(unordered).rejects.toBe(broken);
    pool.close();
    await pool.join();
    expect(pool.counts).toMatchObject({ queued: 0, running: 0, failed: 0, cancelled: 0, done: 4 });
  });

  it('non-iterables are refused at once, naming the method', () => {
    const pool = make(nodePool({ processes: 1 }));
    expect(() => pool.imap(42 as unknown as Iterable<unknown>)).toThrow(/imap: expected an array, another iterable or an async iterable of items \(got 42\)/);
    return expect(pool.map(null as unknown as Iterable<unknown>)).rejects.toThrow(/map: expected/);
  });
});

describe('await using', () => {
  it('Pool[Symbol.asyncDispose] terminates the pool and waits for its workers', async () => {
    const pids: number[] = [];
    let running!: AsyncResult;
    {
      await using pool = new Pool({ processes: 2, command: 'node', args: [NODE_WORKER] });
      pool.on('worker', (proc) => {
        watch(proc);
        proc.on('started', (pid) => pids.push(pid));
      });
      running = pool.applyAsync(['sleep', 30_000]);
      await until(() => pool.counts.running === 1, 'a running task');
    }
    await expect(running.get()).rejects.toBeInstanceOf(TaskCancelledError);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(treeAlive(pid)).toBe(false);
  });
});

describe('processes has a sane maximum', () => {
  it(`refuses more than ${MAX_PROCESSES_PER_CPU} × the CPU count unless allowOversubscribe`, async () => {
    const tooMany = MAX_PROCESSES_PER_CPU * availableParallelism() + 1;
    expect(() => new Pool({ processes: tooMany, command: 'true' })).toThrow(/`processes` is \d+, more than \d+ .*allowOversubscribe: true/);
    expect(() => new Pool({ processes: 2, command: 'true', allowOversubscribe: 'yes' as unknown as boolean })).toThrow(/`allowOversubscribe` must be true or false/);
    // Exec mode starts nothing until tasks come: the option is accepted without forking anyone.
    const pool = make({ processes: tooMany, command: 'true', mode: 'exec', allowOversubscribe: true });
    expect(pool.processes).toBe(tooMany);
    await pool.terminate();
  });
});
