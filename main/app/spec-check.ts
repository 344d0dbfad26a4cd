import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import type { SpecProblem } from '../protocol/commands.js';
import type { ProcessSpec } from '../protocol/schemas.js';

// What would make a process spec fail to start, found before trying, so the New process form can
// say it at the field with everything the user typed still there. Starting can still fail (a file
// removed in between, a full process table): that ends in a failed row, as before.

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function isExecutableFile(path: string): boolean {
  if (!statOf(path)?.isFile()) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the OS would find `command` (as execvp looks), or null. */
function findOnPath(command: string, pathVariable: string): string | null {
  for (const folder of pathVariable.split(delimiter)) {
    if (folder === '') continue;
    const candidate = resolve(folder, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** `python3 x.py` typed into Command: say how the form wants it. */
function wholeCommandLine(command: string, args: readonly string[]): SpecProblem {
  const [program = command, ...rest] = command.split(/\s+/);
  const line = [program, ...rest, ...args].join(' ');
  const argumentsText = [...rest, ...args].join(' ');
  return {
    field: 'command',
    message: `Command is the program alone, and no program is named “${command}”: to run \`${line}\`, put \`${program}\` in Command and \`${argumentsText}\` in Arguments`,
  };
}

export function checkProcessSpec(spec: ProcessSpec, appCwd: string = process.cwd(), appPath: string = process.env.PATH ?? ''): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const cwd = spec.cwd === undefined ? appCwd : resolve(appCwd, spec.cwd);
  const cwdStat = statOf(cwd);
  if (cwdStat === null) {
    problems.push({ field: 'cwd', message: `no folder ${cwd}: create it first, or leave the working directory empty for Pooldeck's own (${appCwd})` });
  } else if (!cwdStat.isDirectory()) {
    problems.push({ field: 'cwd', message: `${cwd} is a file, not a folder: give the folder that holds it` });
  }
  const command = spec.command;
  // A function runs through its helper, which the app finds itself.
  if (command === undefined || spec.target !== undefined) return problems;

  const args = (spec.args ?? []).map(String);
  if (command.includes('/')) {
    // A path with a slash is taken from the working directory, as the OS does after changing to it.
    const path = resolve(cwd, command);
    const stat = statOf(path);
    if (stat === null) {
      if (/\s/.test(command)) problems.push(wholeCommandLine(command, args));
      else if (cwdStat?.isDirectory()) problems.push({ field: 'command', message: `no file ${path}: check the path, or that it is relative to the working directory (${cwd})` });
    } else if (stat.isDirectory()) {
      problems.push({ field: 'command', message: `${path} is a folder, not a program` });
    } else if (!isExecutableFile(path)) {
      problems.push({
        field: 'command',
        message: `${path} is not executable: make it so (chmod +x), or put its interpreter in Command (sh, python3, node) and the file in Arguments`,
      });
    }
    return problems;
  }
  if (findOnPath(command, spec.env?.PATH ?? appPath) !== null) return problems;
  if (/\s/.test(command)) problems.push(wholeCommandLine(command, args));
  else problems.push({ field: 'command', message: `no program named “${command}” on PATH: check the spelling, install it, or give its full path` });
  return problems;
}
