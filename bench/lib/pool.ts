// The Pool as the bench uses it. Loaded at run time so the other rows work while it is being written.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './context.js';

export interface PoolOptionsLike {
  processes: number;
  command: string;
  args?: string[];
  mode: 'worker' | 'exec';
  maxTasksPerChild?: number;
  name?: string;
  daemon?: boolean;
}

export interface AsyncResultLike {
  get(timeoutMs?: number): Promise<unknown>;
}

export interface PoolLike {
  map(items: unknown[], options?: { chunksize?: number }): Promise<unknown[]>;
  imap(items: unknown[], options?: { chunksize?: number }): AsyncIterable<unknown>;
  apply(args: unknown[]): Promise<unknown>;
  applyAsync(args: unknown[]): AsyncResultLike;
  close(): void;
  terminate(): unknown;
  join(): Promise<unknown>;
  readonly workers: ReadonlyArray<{ pid: number | null }>;
}

export type PoolConstructor = new (options: PoolOptionsLike) => PoolLike;

const poolSource = resolve(repoRoot, 'main/core/pool.ts');

/** The core's Pool class, or null while main/core/pool.ts does not exist yet. */
export async function loadPool(): Promise<PoolConstructor | null> {
  if (!existsSync(poolSource)) return null;
  const specifier = '../../main/core/pool.js';
  const module = (await import(specifier)) as { Pool?: PoolConstructor };
  return module.Pool ?? null;
}
