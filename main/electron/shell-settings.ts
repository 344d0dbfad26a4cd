// settings.json in the app's user-data folder: the shell's settings (ShellSettingsSchema). No electron
// import: the folder is given, so the file's rules are tested in plain Node.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShellSettingsSchema, type ShellSettings } from '../protocol/shell-settings.js';

const SETTINGS_FILE = 'settings.json';

/**
 * The settings in `folder`, with the defaults for what is missing. A file that is not JSON or breaks
 * the schema is reported through `log` (naming the field) and read as the defaults: a bad file must
 * not keep the app from starting, and it is replaced at the next change.
 */
export function readShellSettings(folder: string, log: (message: string) => void): ShellSettings {
  const path = join(folder, SETTINGS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return ShellSettingsSchema.parse({});
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    log(`${path} is not JSON (${(error as Error).message}); using the default settings`);
    return ShellSettingsSchema.parse({});
  }
  const parsed = ShellSettingsSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  log(`${path}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}; using the default settings`);
  return ShellSettingsSchema.parse({});
}

/** Writes the settings whole, through a temporary file, so a crash mid-write leaves the old file. */
export function writeShellSettings(folder: string, settings: ShellSettings): void {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, SETTINGS_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(ShellSettingsSchema.parse(settings), null, 2)}\n`);
  renameSync(temporary, path);
}
