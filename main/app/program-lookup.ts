import { accessSync, constants, readdirSync, statSync, type Stats } from 'node:fs';
import { posix, win32 } from 'node:path';

// Which file starting a job would run, looked up the way Node's spawn does on each platform, so the
// New process form can say at the field why a command would not start.
// - Unix (execvp): a command with a slash is a path from the working directory; a name is looked up in
//   each folder of PATH (split on `:`), and only an executable file counts.
// - Windows (libuv's search_path): a command with `\`, `/` or `:` is a path; a bare name is looked up in
//   the working directory first, then in each folder of PATH (split on `;`). In each folder the name as
//   given when it has an extension, then name.com, then name.exe: spawn never uses PATHEXT (cmd.exe's),
//   and refuses .bat and .cmd files without a shell. Windows names ignore case. The environment's keys
//   ignore case too: of `PATH` and `Path`, Node passes the child the first in sorted order.

export interface ProgramHost {
  platform: NodeJS.Platform;
  /** The environment the job starts with: the app's, with the job's own over it. */
  env: Readonly<Record<string, string | undefined>>;
  /** The job's working directory. */
  cwd: string;
}

export type ProgramLookup =
  | { kind: 'program'; path: string }
  /** Spawn would pick this file and fail: not executable (Unix), not an .exe or .com (Windows). */
  | { kind: 'not-a-program'; path: string }
  | { kind: 'folder'; path: string }
  /**
   * Nothing to start. `path`: where a command given as a path was looked for. `shellOnly` (Windows): the
   * file cmd.exe would find through PATHEXT (tool.CMD, script.PS1), which spawn does not run.
   */
  | { kind: 'missing'; path: string | null; shellOnly: string | null };

/** What cmd.exe tries when PATHEXT is not set. */
const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';
/** What CreateProcess starts by itself; libuv appends these, in this order, to a name. */
const WINDOWS_PROGRAM_EXTENSIONS = ['.com', '.exe'];

/** A path rather than a name to look up: the platform's separators (and a drive's colon on Windows). */
export function isPathCommand(command: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? /[\\/:]/.test(command) : command.includes('/');
}

/** `env[name]` as Windows reads it: keys ignore case, and the first in sorted order wins, as Node passes it. */
function windowsEnvValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const wanted = name.toUpperCase();
  const key = Object.keys(env)
    .filter((candidate) => candidate.toUpperCase() === wanted && env[candidate] !== undefined)
    .sort()[0];
  return key === undefined ? undefined : env[key];
}

export function lookUpProgram(command: string, host: ProgramHost): ProgramLookup {
  return host.platform === 'win32' ? lookUpOnWindows(command, host) : lookUpOnUnix(command, host);
}

function lookUpOnUnix(command: string, { env, cwd }: ProgramHost): ProgramLookup {
  if (isPathCommand(command, 'linux')) {
    const path = posix.resolve(cwd, command);
    const stat = statOrNull(path);
    if (stat === null) return { kind: 'missing', path, shellOnly: null };
    if (stat.isDirectory()) return { kind: 'folder', path };
    return isExecutable(path) && stat.isFile() ? { kind: 'program', path } : { kind: 'not-a-program', path };
  }
  for (const folder of (env.PATH ?? '').split(posix.delimiter)) {
    if (folder === '') continue;
    // Relative folders count from the working directory, which the child has changed to by then.
    const candidate = posix.resolve(cwd, folder, command);
    if (statOrNull(candidate)?.isFile() && isExecutable(candidate)) return { kind: 'program', path: candidate };
  }
  return { kind: 'missing', path: null, shellOnly: null };
}

function lookUpOnWindows(command: string, { env, cwd }: ProgramHost): ProgramLookup {
  const folders = new WindowsFolders(cwd);
  const nameStart = Math.max(command.lastIndexOf('\\'), command.lastIndexOf('/'), command.lastIndexOf(':')) + 1;
  const name = command.slice(nameStart);
  // A path is searched in its own folder only; a name in the working directory, then PATH's folders.
  const searched =
    nameStart > 0
      ? [command.slice(0, nameStart)]
      : ['', ...(windowsEnvValue(env, 'PATH') ?? '').split(win32.delimiter).map(unquote).filter((folder) => folder !== '')];
  const dot = name.indexOf('.');
  const hasExtension = dot !== -1 && dot < name.length - 1;
  const spawnNames = [...(hasExtension ? [name] : []), ...WINDOWS_PROGRAM_EXTENSIONS.map((extension) => `${name}${extension}`)];
  for (const folder of searched) {
    for (const candidate of spawnNames) {
      const path = folders.file(folder, candidate);
      if (path === null) continue;
      // libuv stops at the first file it finds, whatever it is: CreateProcess then fails on a script.
      const runnable = WINDOWS_PROGRAM_EXTENSIONS.includes(win32.extname(path).toLowerCase());
      return { kind: runnable ? 'program' : 'not-a-program', path };
    }
  }
  const shellNames = (windowsEnvValue(env, 'PATHEXT') ?? DEFAULT_PATHEXT)
    .split(';')
    .filter((extension) => extension.startsWith('.') && !WINDOWS_PROGRAM_EXTENSIONS.includes(extension.toLowerCase()))
    .map((extension) => `${name}${extension}`);
  let shellOnly: string | null = null;
  for (const folder of searched) {
    shellOnly = shellNames.map((candidate) => folders.file(folder, candidate)).find((path) => path !== null) ?? null;
    if (shellOnly !== null) break;
  }
  return { kind: 'missing', path: nameStart > 0 ? folders.join(folders.absolute(command.slice(0, nameStart)), name) : null, shellOnly };
}

/** `"C:\Program Files\Python"` in PATH: libuv drops the quotes. */
function unquote(folder: string): string {
  return folder.replace(/^["']/, '').replace(/["']$/, '');
}

/** Windows folders, each listed once, whose names match ignoring case as NTFS does. */
class WindowsFolders {
  readonly #cwd: string;
  readonly #listings = new Map<string, Map<string, { name: string; isFolder: boolean }>>();

  constructor(cwd: string) {
    this.#cwd = cwd;
  }

  /** The path of the file `name` in `folder` (relative to the working directory), or null. */
  file(folder: string, name: string): string | null {
    const absolute = this.absolute(folder);
    const entry = this.#listing(absolute).get(name.toLowerCase());
    return entry === undefined || entry.isFolder ? null : this.join(absolute, entry.name);
  }

  absolute(folder: string): string {
    if (folder === '') return this.#cwd;
    return win32.isAbsolute(folder) ? folder : this.join(this.#cwd, folder);
  }

  /** Joined with the folder's own separator: Windows takes `/` as well as `\`. */
  join(folder: string, name: string): string {
    if (/[\\/:]$/.test(folder)) return `${folder}${name}`;
    return `${folder}${folder.includes('\\') ? '\\' : '/'}${name}`;
  }

  #listing(folder: string): Map<string, { name: string; isFolder: boolean }> {
    let listing = this.#listings.get(folder);
    if (listing === undefined) {
      listing = new Map();
      try {
        for (const entry of readdirSync(folder, { withFileTypes: true })) listing.set(entry.name.toLowerCase(), { name: entry.name, isFolder: entry.isDirectory() });
      } catch {
        // A folder that cannot be read is skipped, as cmd.exe and libuv skip it.
      }
      this.#listings.set(folder, listing);
    }
    return listing;
  }
}

/** The file's or folder's stat, or null when there is none (or it cannot be read). */
export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
