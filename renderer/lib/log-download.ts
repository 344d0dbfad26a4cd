import type { PooldeckApi } from './api.js';

/**
 * Saves the current run's whole log file through the browser's download (the desktop shell shows its
 * save dialog): read from the app a piece at a time, so one message never carries the whole file.
 * Resolves to null when saved, or to the error to show.
 */
export async function downloadLogFile(api: PooldeckApi, processId: string, fileName: string): Promise<string | null> {
  const pieces: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  for (;;) {
    const outcome = await api.call('readLogFile', { id: processId, offset });
    if (!outcome.ok) return outcome.error.message;
    const { data, nextOffset, totalBytes } = outcome.value;
    pieces.push(Uint8Array.from(atob(data), (char) => char.charCodeAt(0)));
    // No progress (the file shrank as it rotated): what was read is what there is.
    if (nextOffset >= totalBytes || nextOffset === offset) break;
    offset = nextOffset;
  }
  const url = URL.createObjectURL(new Blob(pieces, { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // After the click the download has its own reference to the data.
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return null;
}
