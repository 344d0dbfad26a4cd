// The orphan watchdog: a tiny shell process that outlives the app for one purpose. The app tells it,
// over the watchdog's stdin, which process groups it started; when that pipe closes without a
// goodbye (the app was SIGKILLed, crashed, or its terminal went away), the watchdog ends every group
// still registered: SIGTERM, then SIGKILL after the grace. A clean shutdown says goodbye first.
//
// Why a shell and not a Node script: in the packaged app Electron cannot run as Node (the runAsNode
// fuse is off), and `sh` is on every Unix. Why a separate process at all: nothing inside a process
// can act after SIGKILL, and Linux's parent-death signal needs a native call Node does not expose.
// On Windows, which has neither groups nor sh, the watchdog is a PowerShell script that ends each
// registered process's tree as the core's seam does (process-tree/win32-tracked.ts): `taskkill /T`,
// then `/T /F` after the grace, only for a pid still under the creation time it had when registered.

import { spawn, type ChildProcess } from 'node:child_process';
import { DEFAULT_GRACE_MS } from './defaults.js';
import { taskkillTreeArguments } from './process-tree/win32-tracked.js';

/**
 * Reads `+PGID` / `-PGID` lines; `bye` ends it without touching anything. On EOF it signals the
 * groups still listed. It ignores the signals a terminal or a process-group kill would send it, so
 * that it is still there when the app is gone; it checks that a group exists before signalling it.
 */
const WATCHDOG_SCRIPT = `
trap '' HUP INT TERM QUIT PIPE
groups=' '
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) g="\${line#-}"
        case "$groups" in *" $g "*) groups="\${groups%% $g *} \${groups#* $g }" ;; esac ;;
    bye) exit 0 ;;
  esac
done
alive=''
for g in $groups; do
  if kill -TERM "-$g" 2>/dev/null; then alive="$alive $g"; fi
done
[ -z "$alive" ] && exit 0
waited=0
while [ "$waited" -lt "$1" ]; do
  left=''
  for g in $alive; do kill -0 "-$g" 2>/dev/null && left="$left $g"; done
  [ -z "$left" ] && exit 0
  alive="$left"
  sleep 0.1
  waited=$((waited + 100))
done
for g in $alive; do kill -KILL "-$g" 2>/dev/null; done
exit 0
`;

/** taskkill's arguments as PowerShell builds them for the pids in `$ids`: the seam's taskkillTreeArguments, one /PID each. */
function powershellTaskkill(signal: NodeJS.Signals): string {
  const flags = taskkillTreeArguments([0], signal)!.slice(2).map((flag) => `'${flag}'`);
  return `$a = @(); foreach ($i in $ids) { $a += '/PID'; $a += "$i" }; $a += @(${flags.join(', ')}); & taskkill.exe @a *> $null`;
}

/**
 * The Windows watchdog: the same lines on stdin (`+PID`, `-PID`, `bye`). A pid is registered with its
 * creation time, read when the line comes (the app holds the process then); at EOF only pids still
 * under that creation time are ended, so a stranger that got a freed pid is never touched.
 */
function win32WatchdogScript(graceMs: number): string {
  return `
$ErrorActionPreference = 'SilentlyContinue'
$registered = @{}
while ($null -ne ($line = [Console]::In.ReadLine())) {
  if ($line -eq 'bye') { exit 0 }
  if ($line -match '^\\+(\\d+)$') { $p = Get-Process -Id ([int]$Matches[1]); if ($p) { $registered[[int]$Matches[1]] = $p.StartTime.Ticks } }
  elseif ($line -match '^-(\\d+)$') { $registered.Remove([int]$Matches[1]) }
}
function Ours($candidates) { @($candidates | Where-Object { $p = Get-Process -Id $_; $p -and $p.StartTime.Ticks -eq $registered[$_] }) }
function Ask($ids) { ${powershellTaskkill('SIGTERM')} }
function Force($ids) { ${powershellTaskkill('SIGKILL')} }
$alive = Ours @($registered.Keys)
if ($alive.Count -eq 0) { exit 0 }
Ask $alive
$deadline = (Get-Date).AddMilliseconds(${graceMs})
while ((Get-Date) -lt $deadline) {
  $alive = Ours $alive
  if ($alive.Count -eq 0) { exit 0 }
  Start-Sleep -Milliseconds 100
}
Force $alive
exit 0
`;
}

/** The watchdog's program and arguments on `platform`: sh on Unix, PowerShell on Windows. */
export function watchdogCommand(platform: NodeJS.Platform, graceMs: number): { command: string; args: string[] } {
  if (platform === 'win32') return { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', win32WatchdogScript(graceMs)] };
  return { command: '/bin/sh', args: ['-c', WATCHDOG_SCRIPT, 'pooldeck-watchdog', String(graceMs)] };
}

export interface OrphanWatchdogOptions {
  /** SIGTERM → SIGKILL grace once the app is gone. Default DEFAULT_GRACE_MS. */
  graceMs?: number;
}

/**
 * Ends the process groups the app registered when the app dies without shutting down: on Unix each
 * group (SIGTERM, then SIGKILL); on Windows each registered process's tree (taskkill /T, then /F).
 */
export class OrphanWatchdog {
  readonly #child: ChildProcess | null;
  readonly #registered = new Set<number>();
  #closed = false;

  constructor(options: OrphanWatchdogOptions = {}) {
    const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    if (!Number.isInteger(graceMs) || graceMs < 0) {
      throw new TypeError(`OrphanWatchdog: \`graceMs\` must be a whole number of milliseconds, 0 or more (got ${String(graceMs)})`);
    }
    const { command, args } = watchdogCommand(process.platform, graceMs);
    // Its own process group (its own console on Windows), so that a Ctrl-C or a group kill aimed at the app does not reach it.
    this.#child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'], detached: true, windowsHide: true });
    this.#child.on('error', () => {
      // No shell (or no PowerShell): the app still works, it only loses this safety net.
      this.#closed = true;
    });
    this.#child.stdin?.on('error', () => {
      // EPIPE after the watchdog ended: nothing left to tell it.
    });
    // The watchdog must never keep the app's event loop alive.
    this.#child.unref();
    (this.#child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  /** The watchdog's pid (null when it could not start). */
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Process groups registered and not yet released. */
  get registered(): ReadonlySet<number> {
    return this.#registered;
  }

  /** From now on, group `pgid` (a process the app started, leading its own group) dies with the app. */
  register(pgid: number): void {
    if (!Number.isInteger(pgid) || pgid <= 1) throw new TypeError(`OrphanWatchdog: a process group id is an integer above 1 (got ${String(pgid)})`);
    if (this.#registered.has(pgid)) return;
    this.#registered.add(pgid);
    this.#write(`+${pgid}\n`);
  }

  /** Group `pgid` ended, or the user chose to keep it running after the app: forget it. */
  release(pgid: number): void {
    if (!this.#registered.delete(pgid)) return;
    this.#write(`-${pgid}\n`);
  }

  /** A clean shutdown: the watchdog exits without signalling anything. Idempotent. */
  dispose(): void {
    if (this.#closed) return;
    this.#write('bye\n');
    this.#closed = true;
    this.#child?.stdin?.end();
  }

  #write(line: string): void {
    if (this.#closed) return;
    this.#child?.stdin?.write(line);
  }
}
