// Channel folders a crashed run left behind. A SIGKILLed app cannot remove its socket's folder, so
// the next ChannelServer does: each folder's name carries the pid of the run that made it, and a
// folder of ours whose run is gone is removed. A folder of another user, or of a live process, is
// never touched.
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pidExists } from './process-tree/pid-exists.js';

const CHANNEL_FOLDER_PREFIX = 'pooldeck-channel-';

/** The folder-name prefix of this run's channel folders: `pooldeck-channel-<pid>-`. */
export function channelFolderPrefix(pid = process.pid): string {
  return `${CHANNEL_FOLDER_PREFIX}${pid}-`;
}

/** Removes the channel folders in `parent` whose run ended; returns their paths. */
export function removeStaleChannelFolders(parent: string): string[] {
  const uid = process.getuid?.();
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(CHANNEL_FOLDER_PREFIX)) continue;
    const match = /^(\d+)-/.exec(name.slice(CHANNEL_FOLDER_PREFIX.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || pidExists(pid)) continue;
    const path = join(parent, name);
    try {
      const stat = lstatSync(path);
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}
