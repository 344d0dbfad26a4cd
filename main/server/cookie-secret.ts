import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken } from './security.js';

// The secret the headless server derives its session cookies from, kept in the data dir (0600) so a
// tab or a bookmark of the bare address keeps working after the server restarts on the same port.
// Deleting the file signs every browser out.

export const COOKIE_SECRET_FILE = 'server-cookie-secret';

const VALID_SECRET = /^[0-9a-f]{64}$/;

/** The data dir's cookie secret, created (owner-only) when missing or unreadable as one. */
export function loadCookieSecret(dataDir: string): string {
  const path = join(dataDir, COOKIE_SECRET_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (VALID_SECRET.test(existing)) return existing;
  } catch {
    // missing: made below
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = generateToken();
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its old mode through writeFileSync
  return secret;
}
