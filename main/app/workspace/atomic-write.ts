import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let nextTemp = 0;

/**
 * Writes `text` to `path` so that a crash or a SIGKILL at any moment leaves either the old file or the
 * new one, never a part: the text goes to a temporary file in the same folder, is flushed to disk, and
 * replaces the file with one rename (atomic on POSIX); the folder is flushed so the rename survives a
 * power cut too.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${process.pid}.${nextTemp++}.tmp`);
  try {
    const file = await open(temp, 'w', 0o644);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const dir = await open(folder, 'r');
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse to sync a folder; the rename itself is still atomic.
  } finally {
    await dir.close();
  }
}
