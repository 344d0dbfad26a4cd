import { resolve } from 'node:path';
import type { Row } from './report.js';

export interface BenchContext {
  /** A short smoke run: fewer rounds, smaller sizes. */
  quick: boolean;
  /** The repository root. */
  root: string;
  /** bench/.cache: peers installed on demand, bundles, scratch data. Not in git. */
  cacheDir: string;
  log(message: string): void;
}

export interface BenchRow {
  /** What `--only` matches: the row number. */
  id: string;
  /** Other names `--only` accepts. */
  aliases: string[];
  title: string;
  run(context: BenchContext): Promise<Row[]>;
}

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cacheRoot = resolve(repoRoot, 'bench', '.cache');
