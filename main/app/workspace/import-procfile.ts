import type { ImportedJobs } from './workspace-file.js';
import { splitShellWords } from './shell-words.js';

// A Procfile (foreman, honcho, Heroku): `name: command` lines, each a process that starts with the
// workspace. A command is split into program and arguments by the shell's quoting rules; one that
// uses shell syntax (a pipe, a variable, `a=b cmd`) runs through `sh -c`, as foreman runs every line.

const LINE = /^([A-Za-z0-9_-]+):\s*(.*)$/;

export function importProcfile(text: string, folder: string): ImportedJobs {
  const result: ImportedJobs = { jobs: [], notCarriedOver: [], notes: [] };
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) {
      result.notCarriedOver.push(`line ${index + 1}: not a "name: command" line: ${line}`);
      continue;
    }
    const [, name, commandLine] = match as unknown as [string, string, string];
    if (commandLine.trim() === '') {
      result.notCarriedOver.push(`line ${index + 1}: ${name} has no command`);
      continue;
    }
    const { words, shellSyntax } = splitShellWords(commandLine);
    const [command, ...args] = shellSyntax === null ? words : ['sh', '-c', commandLine];
    result.notes.push(
      shellSyntax === null
        ? `${name}: split into program and arguments (shell quoting rules)`
        : `${name}: runs through sh -c because it uses shell syntax (${shellSyntax})`,
    );
    result.jobs.push({ kind: 'process', name, autostart: true, spec: { name, command: command!, args, cwd: folder } });
  }
  return result;
}
