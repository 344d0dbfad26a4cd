import { describe, expect, it } from 'vitest';
import { parsePsListing } from '../../../main/core/process-tree/ps-listing.js';
import { processTreeFor } from '../../../main/core/process-tree/index.js';
import { parseCimListing, taskkillArguments } from '../../../main/core/process-tree/win32.js';
import { DARWIN_PS, LINUX_PS, WIN32_CIM } from './listings.js';

describe('parsing ps (macOS, and procps on Linux)', () => {
  it("reads macOS's ps: pid, parent, group, zombies, start time to the second", () => {
    const entries = parsePsListing(DARWIN_PS);
    expect(entries.map(({ pid, ppid, pgid, zombie }) => ({ pid, ppid, pgid, zombie }))).toEqual([
      { pid: 1, ppid: 0, pgid: 1, zombie: false },
      { pid: 101, ppid: 1, pgid: 101, zombie: false },
      { pid: 52310, ppid: 101, pgid: 52310, zombie: false },
      { pid: 52311, ppid: 52310, pgid: 52310, zombie: false },
      { pid: 52312, ppid: 52311, pgid: 52312, zombie: false },
      { pid: 52313, ppid: 52310, pgid: 52310, zombie: true },
    ]);
    const [, , leader, child] = entries;
    expect(child!.startTime - leader!.startTime).toBe(1);
  });

  it("reads procps' ps, captured here, the same way", () => {
    const entries = parsePsListing(LINUX_PS);
    expect(entries).toHaveLength(6);
    expect(entries[4]).toMatchObject({ pid: 4711, ppid: 1, pgid: 4711, zombie: false });
    expect(entries[5]).toMatchObject({ pid: 4712, ppid: 4711, zombie: true });
  });

  it('leaves out a header, blank lines and a line cut short by a process that vanished', () => {
    const text = `  PID  PPID  PGID STAT STARTED\n\n  77     1    77 S    Sun Dec\n${DARWIN_PS}`;
    expect(parsePsListing(text).map((entry) => entry.pid)).toEqual([1, 101, 52310, 52311, 52312, 52313]);
  });
});

describe('parsing the CIM query (Windows)', () => {
  it('reads pids, parents and creation times, with no process groups', () => {
    expect(parseCimListing(WIN32_CIM)).toEqual([
      { pid: 0, ppid: 0, pgid: null, zombie: false, startTime: 0 },
      { pid: 4, ppid: 0, pgid: null, zombie: false, startTime: 1796454721000 },
      { pid: 6120, ppid: 5880, pgid: null, zombie: false, startTime: 1796461105012 },
      { pid: 7344, ppid: 6120, pgid: null, zombie: false, startTime: 1796461106123 },
    ]);
  });

  it('reads a lone object (a one-row table) and empty output', () => {
    expect(parseCimListing('{"ProcessId":9,"ParentProcessId":4,"CreationDate":5}\r\n')).toEqual([{ pid: 9, ppid: 4, pgid: null, zombie: false, startTime: 5 }]);
    expect(parseCimListing('  \r\n')).toEqual([]);
  });

  it('ends a tree with taskkill /T, forced only for SIGKILL', () => {
    expect(taskkillArguments(6120, 'SIGTERM')).toEqual(['/PID', '6120', '/T']);
    expect(taskkillArguments(6120, 'SIGKILL')).toEqual(['/PID', '6120', '/T', '/F']);
  });
});

describe('picking the platform', () => {
  it('gives Linux /proc, Windows CIM and taskkill, and macOS and the other Unixes ps', () => {
    expect(processTreeFor('linux').platform).toBe('linux');
    expect(processTreeFor('win32').platform).toBe('win32');
    expect(processTreeFor('darwin').platform).toBe('darwin');
    expect(processTreeFor('freebsd').platform).toBe('darwin');
  });
});
