import { resolve, win32 } from 'node:path';
import type { SpecProblem } from '../protocol/commands.js';
import type { ProcessSpec } from '../protocol/schemas.js';
import { isPathCommand, lookUpProgram, statOrNull } from './program-lookup.js';

// What would make a process spec fail to start, found before trying, so the New process form can
// say it at the field with everything the user typed still there. Starting can still fail (a file
// removed in between, a full process table): that ends in a failed row, as before.

/** Where the app runs: its working directory, environment and platform (parameters, so tests can name Windows). */
export interface AppHost {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
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

export function checkProcessSpec(spec: ProcessSpec, app: AppHost = { cwd: process.cwd(), env: process.env, platform: process.platform }): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const appCwd = app.cwd;
  const cwd = spec.cwd === undefined ? appCwd : resolve(appCwd, spec.cwd);
  const cwdStat = statOrNull(cwd);
  if (cwdStat === null) {
    problems.push({ field: 'cwd', message: `no folder ${cwd}: create it first, or leave the working directory empty for Pooldeck's own (${appCwd})` });
  } else if (!cwdStat.isDirectory()) {
    problems.push({ field: 'cwd', message: `${cwd} is a file, not a folder: give the folder that holds it` });
  }
  const command = spec.command;
  // A function runs through its helper, which the app finds itself.
  if (command === undefined || spec.target !== undefined) return problems;

  const args = (spec.args ?? []).map(String);
  const windows = app.platform === 'win32';
  const found = lookUpProgram(command, { platform: app.platform, env: { ...app.env, ...spec.env }, cwd });
  switch (found.kind) {
    case 'program':
      return problems;
    case 'folder':
      problems.push({ field: 'command', message: `${found.path} is a folder, not a program` });
      return problems;
    case 'not-a-program':
      problems.push({
        field: 'command',
        message: windows
          ? `${found.path} is not a program Windows starts by itself (an .exe or .com): put its interpreter in Command (python, node, or cmd.exe with /c for a .bat or .cmd) and the file in Arguments`
          : `${found.path} is not executable: make it so (chmod +x), or put its interpreter in Command (sh, python3, node) and the file in Arguments`,
      });
      return problems;
    case 'missing':
      break;
  }
  if (found.shellOnly !== null) problems.push(shellOnlyProgram(command, found.shellOnly));
  else if (/\s/.test(command)) problems.push(wholeCommandLine(command, args));
  else if (!isPathCommand(command, app.platform)) problems.push({ field: 'command', message: `no program named “${command}” on PATH: check the spelling, install it, or give its full path` });
  else if (cwdStat?.isDirectory()) problems.push({ field: 'command', message: `no file ${found.path}: check the path, or that it is relative to the working directory (${cwd})` });
  return problems;
}

/** Windows: `tool` is tool.CMD, which cmd.exe finds through PATHEXT but a started program does not. */
function shellOnlyProgram(command: string, path: string): SpecProblem {
  const file = win32.basename(path);
  const batch = /\.(bat|cmd)$/i.test(file);
  return {
    field: 'command',
    message: batch
      ? `“${command}” is ${path}, a batch file, which only cmd.exe runs: put cmd.exe in Command and /c ${file} (then its arguments) in Arguments`
      : `“${command}” is ${path}, which Windows opens by its file type, not as a program: put its interpreter in Command and the file in Arguments`,
  };
}
