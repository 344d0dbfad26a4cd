import { darwinProcessTree } from './darwin.js';
import { linuxProcessTree } from './linux.js';
import type { ProcessTreePlatform } from './types.js';
import { win32ProcessTree } from './win32.js';

export type { ProcessTreePlatform } from './types.js';

/** The process-tree implementation for `platform`; other Unixes get macOS's (ps and process groups). */
export function processTreeFor(platform: NodeJS.Platform = process.platform): ProcessTreePlatform {
  if (platform === 'linux') return linuxProcessTree;
  if (platform === 'win32') return win32ProcessTree;
  return darwinProcessTree;
}
