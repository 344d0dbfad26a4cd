import { isAbsolute, resolve } from 'node:path';
import type { ProcessSpec, RestartPolicy } from '../../protocol/schemas.js';
import { parseIni } from './ini-file.js';
import { splitShellWords } from './shell-words.js';
import type { ImportedJobs } from './workspace-file.js';

// A supervisord config's [program:x] sections as workspace processes. What maps: command (split as
// supervisord splits it, with shlex: no shell), directory, environment, autostart, autorestart (true →
// always, unexpected → on-failure, false → no), startretries → maxRestarts, startsecs → stableAfterMs,
// numprocs → that many processes named by process_name. Everything else is listed as not carried over.

const CARRIED = new Set(['command', 'directory', 'environment', 'autostart', 'autorestart', 'startretries', 'startsecs', 'numprocs', 'numprocs_start', 'process_name']);
/** supervisord's defaults for the keys that map. */
const DEFAULTS = { autostart: true, autorestart: 'unexpected', startretries: 3, startsecs: 1 } as const;

export function importSupervisord(text: string, folder: string, env: NodeJS.ProcessEnv = process.env): ImportedJobs {
  const result: ImportedJobs = { jobs: [], notCarriedOver: [], notes: [] };
  for (const section of parseIni(text)) {
    const program = /^program:(.+)$/.exec(section.name)?.[1]?.trim();
    if (program === undefined) {
      result.notCarriedOver.push(`[${section.name}] (line ${section.line}): only [program:x] sections are imported`);
      continue;
    }
    const value = (key: string, processNum = 0): string | undefined => {
      const raw = section.values.get(key);
      return raw === undefined ? undefined : expand(raw, { program_name: program, process_num: String(processNum), here: folder, group_name: program }, env);
    };
    for (const [key, raw] of section.values) {
      if (!CARRIED.has(key)) result.notCarriedOver.push(`${program}: ${key}=${raw}`);
    }
    const command = value('command');
    if (command === undefined) {
      result.notCarriedOver.push(`${program}: no command, so no job`);
      continue;
    }
    const numprocs = wholeNumber(value('numprocs'), 1, `${program}: numprocs`);
    const numprocsStart = wholeNumber(value('numprocs_start'), 0, `${program}: numprocs_start`);
    const restart = restartPolicy(value('autorestart') ?? DEFAULTS.autorestart, program);
    const autostart = booleanValue(value('autostart'), DEFAULTS.autostart, `${program}: autostart`);
    for (let offset = 0; offset < numprocs; offset++) {
      const processNum = numprocsStart + offset;
      const words = splitShellWords(value('command', processNum)!).words;
      const [program0, ...args] = words;
      if (program0 === undefined) throw new Error(`${program}: command is empty`);
      const name = numprocs === 1 ? (value('process_name', processNum) ?? program) : (value('process_name', processNum) ?? `${program}_${processNum}`);
      const directory = value('directory', processNum);
      const environment = value('environment', processNum);
      const spec: ProcessSpec = {
        name,
        command: program0,
        args,
        restart,
        ...(directory === undefined ? { cwd: folder } : { cwd: isAbsolute(directory) ? directory : resolve(folder, directory) }),
        ...(environment === undefined ? {} : { env: parseEnvironment(environment, program) }),
        ...(restart === 'no' ? {} : { maxRestarts: wholeNumber(value('startretries'), DEFAULTS.startretries, `${program}: startretries`) }),
        stableAfterMs: wholeNumber(value('startsecs'), DEFAULTS.startsecs, `${program}: startsecs`) * 1000,
      };
      result.jobs.push({ kind: 'process', name, autostart, spec });
    }
    if (numprocs > 1) result.notes.push(`${program}: numprocs=${numprocs} became ${numprocs} processes`);
  }
  return result;
}

/** supervisord's `%(name)s` expansions (Python %-format, `%(process_num)02d` too): program_name, process_num, here, group_name and ENV_X. */
function expand(text: string, names: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return text.replace(/%\((\w+)\)(0?)(\d*)([sd])|%%/g, (whole, name: string | undefined, zero: string, width: string, kind: string) => {
    if (whole === '%%') return '%';
    const found = name!.startsWith('ENV_') ? env[name!.slice(4)] : names[name!];
    if (found === undefined) throw new Error(`%(${name})${kind} names nothing supervisord would expand`);
    const formatted = kind === 'd' ? String(Number.parseInt(found, 10)) : found;
    return formatted.padStart(Number(width || 0), zero === '0' && kind === 'd' ? '0' : ' ');
  });
}

function restartPolicy(text: string, program: string): RestartPolicy {
  const lower = text.toLowerCase();
  if (lower === 'unexpected') return 'on-failure';
  return booleanValue(lower, false, `${program}: autorestart`) ? 'always' : 'no';
}

function booleanValue(text: string | undefined, fallback: boolean, field: string): boolean {
  if (text === undefined) return fallback;
  const lower = text.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(lower)) return true;
  if (['false', 'no', 'off', '0'].includes(lower)) return false;
  throw new Error(`${field} must be true or false, not ${text}`);
}

function wholeNumber(text: string | undefined, fallback: number, field: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${field} must be a whole number, not ${text}`);
  return Number(text);
}

/** `KEY="value",KEY2=value2`: commas inside quotes are part of the value. */
function parseEnvironment(text: string, program: string): Record<string, string> {
  const env: Record<string, string> = {};
  const pattern = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^,]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  let end = 0;
  while (end < text.length && (match = pattern.exec(text)) !== null) {
    const rawValue = match[2]!;
    env[match[1]!] = /^["']/.test(rawValue) ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue.trim();
    end = pattern.lastIndex;
  }
  if (end < text.trim().length) throw new Error(`${program}: environment must be KEY="value",KEY2="value2"; could not read: ${text.slice(end)}`);
  return env;
}
