// The native open-file dialog of the Function mode: the user picks the Python or Node file whose
// functions the form then lists. Only files a helper can run are offered.
import { BrowserWindow, dialog, type OpenDialogOptions, type WebContents } from 'electron';

const TARGET_FILE_DIALOG: OpenDialogOptions = {
  title: 'Choose a Python or Node file',
  properties: ['openFile'],
  filters: [
    { name: 'Python and Node files', extensions: ['py', 'mjs', 'cjs', 'js'] },
    { name: 'Python', extensions: ['py'] },
    { name: 'Node', extensions: ['mjs', 'cjs', 'js'] },
  ],
};

/** The chosen file's path, or null when the user cancelled. Modal to the window that asked, when it has one. */
export async function pickTargetFile(asker: WebContents): Promise<string | null> {
  const window = BrowserWindow.fromWebContents(asker);
  const result = window ? await dialog.showOpenDialog(window, TARGET_FILE_DIALOG) : await dialog.showOpenDialog(TARGET_FILE_DIALOG);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
