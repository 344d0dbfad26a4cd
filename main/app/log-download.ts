// A run's log file read in pieces, for the panel's Download: the parts on disk (oldest first) as one
// stream of bytes, a bounded piece per call, so a 15 MiB log never crosses the transport in one message.
import { open, stat } from 'node:fs/promises';
import type { LogFilePiece } from '../protocol/commands.js';

/** Bytes one call returns at most. */
export const LOG_PIECE_BYTES = 1 << 20;

/** Bytes `offset`… of the parts read as one file (at most LOG_PIECE_BYTES, never across two parts). */
export async function readLogPiece(paths: readonly string[], offset: number): Promise<LogFilePiece> {
  const sizes = await Promise.all(paths.map((path) => stat(path).then((info) => info.size, () => 0)));
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  let start = 0;
  for (const [index, size] of sizes.entries()) {
    if (offset < start + size) {
      const length = Math.min(LOG_PIECE_BYTES, start + size - offset);
      const handle = await open(paths[index], 'r');
      try {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, offset - start);
        return { data: buffer.subarray(0, bytesRead).toString('base64'), nextOffset: offset + bytesRead, totalBytes };
      } finally {
        await handle.close();
      }
    }
    start += size;
  }
  return { data: '', nextOffset: totalBytes, totalBytes };
}
