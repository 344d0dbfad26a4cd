// The direct children of a process, from /proc/<pid>/task/<tid>/children (cheap: no scan of /proc).
import { readFileSync, readdirSync } from 'node:fs';

export function directChildren(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const part of text.split(' ')) if (part.length > 0) out.push(Number(part));
  }
  return out;
}

/** The process's command name (what it exec'd), or null once it is gone. */
export function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return null;
  }
}
