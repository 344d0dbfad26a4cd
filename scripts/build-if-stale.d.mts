// Types of build-if-stale.mjs, for its tests.
export declare const STAMP_PATH: string;
export declare function newestSource(root: string): { path: string; mtimeMs: number } | null;
export declare function readStamp(root: string): number | null;
export declare function writeStamp(root: string, startedAt: number): void;
export declare function buildState(root: string): { stale: boolean; reason: string };
export declare function buildIfStale(options: {
  root: string;
  always?: boolean;
  build: () => boolean;
  log?: (line: string) => void;
}): boolean;
