// One Supervisor per test in a fresh data folder, with every job it started ended afterwards (even
// when the test failed). Quiet: no periodic sampling, no orphan watchdog.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Supervisor } from '../../main/app/supervisor.js';

export function useQuietSupervisor(prefix: string): { readonly supervisor: Supervisor; readonly dataDir: string } {
  const current = { supervisor: null as Supervisor | null, dataDir: '' };
  beforeEach(() => {
    current.dataDir = mkdtempSync(join(tmpdir(), prefix));
    current.supervisor = new Supervisor({ dataDir: current.dataDir, sampleIntervalMs: 60_000, graceMs: 500, orphanWatchdog: false });
  });
  afterEach(async () => {
    await current.supervisor?.shutdown({ terminateAll: true, graceMs: 500 });
    await current.supervisor?.dispose();
    rmSync(current.dataDir, { recursive: true, force: true });
  });
  return {
    get supervisor() {
      return current.supervisor!;
    },
    get dataDir() {
      return current.dataDir;
    },
  };
}
