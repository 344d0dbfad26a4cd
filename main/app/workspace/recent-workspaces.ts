import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';

// The workspaces opened lately, newest first, in the data folder: the first is the one the app
// reopens on launch.

const MAX_RECENT = 10;
const RecentFileSchema = z.object({ recent: z.array(z.string()).max(100) });

export class RecentWorkspaces {
  readonly #file: string;

  readonly #dataDir: string;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.#file = join(dataDir, 'recent-workspaces.json');
  }

  /** Newest first; empty when the list is missing or unreadable (it is only a convenience). */
  async list(): Promise<string[]> {
    try {
      const parsed = RecentFileSchema.safeParse(JSON.parse(await readFile(this.#file, 'utf8')));
      return parsed.success ? parsed.data.recent.slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  /** Puts `path` first. */
  async opened(path: string): Promise<void> {
    const recent = [path, ...(await this.list()).filter((other) => other !== path)].slice(0, MAX_RECENT);
    await mkdir(this.#dataDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.#file, `${JSON.stringify({ recent }, null, 2)}\n`);
  }
}
