import { z } from 'zod';

// The desktop shell's own settings, kept in settings.json in the app's user-data folder
// (main/electron/shell-settings.ts reads and writes it). Only what the shell itself decides lives
// here; jobs and workspaces belong to the backend.

export const ShellSettingsSchema = z.strictObject({
  /** Help › Check for Updates Automatically: off until the user turns it on. */
  checkForUpdates: z.boolean({ error: 'checkForUpdates must be true or false' }).default(false),
});

export type ShellSettings = z.infer<typeof ShellSettingsSchema>;
