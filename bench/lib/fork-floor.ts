// The floor for dispatching tiny tasks to Node workers: child_process.fork and process.send, with
// several messages in flight per child, nothing else (no task records, no ordering, no events).
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from './context.js';
import { own } from './owned.js';

export class ForkFloor {
  readonly #children: ChildProcess[];

  constructor(workers: number) {
    this.#children = Array.from({ length: workers }, () => {
      const child = fork(resolve(repoRoot, 'bench/workers/fork-square.cjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], detached: true });
      if (child.pid) own(child.pid, 'fork floor worker');
      return child;
    });
  }

  /** Squares 0..count-1 with `inFlight` messages outstanding per child; returns tasks per second. */
  async run(count: number, inFlight = 64): Promise<number> {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolveChild) => {
            let outstanding = 0;
            const send = (): void => {
              while (outstanding < inFlight && next < count) {
                child.send([next, next]);
                next += 1;
                outstanding += 1;
              }
              if (outstanding === 0) {
                child.off('message', onMessage);
                resolveChild();
              }
            };
            const onMessage = (): void => {
              outstanding -= 1;
              send();
            };
            child.on('message', onMessage);
            send();
          }),
      ),
    );
    return count / ((performance.now() - started) / 1000);
  }

  close(): void {
    for (const child of this.#children) child.kill('SIGKILL');
  }
}
