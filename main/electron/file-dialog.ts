// The native file dialogs: the Function mode's (the user picks the Python or Node file whose functions
// the form then lists; only files a helper can run are offered) and File › Open/Save Workspace's.
import { BrowserWindow, dialog, type OpenDialogOptions, type SaveDialogOptions, type WebContents } from 'electron';

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

const WORKSPACE_FILTERS = [{ name: 'Workspaces (YAML)', extensions: ['yaml', 'yml'] }];

/** File › Open Workspace…: the chosen .yaml file, or null when cancelled. */
export async function pickWorkspaceToOpen(window: BrowserWindow | null): Promise<string | null> {
  const options: OpenDialogOptions = { title: 'Open a workspace', properties: ['openFile'], filters: WORKSPACE_FILTERS };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** File › Save Workspace As…: where to write it, or null when cancelled. */
export async function pickWorkspaceToSave(window: BrowserWindow | null): Promise<string | null> {
  const options: SaveDialogOptions = { title: 'Save the workspace as', defaultPath: 'workspace.yaml', filters: WORKSPACE_FILTERS };
  const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return result.canceled ? null : (result.filePath ?? null);
}
