// Authkeys, as multiprocessing's: one random key per run (per Node process), inherited by every
// process it starts unless that process is given its own.

import { randomBytes } from 'node:crypto';

/** Bytes in an authkey: POOLDECK_AUTHKEY carries them as 64 lowercase hex digits. */
export const AUTHKEY_LENGTH = 32;

/** The environment variable holding a process's authkey in hex. */
export const AUTHKEY_ENV = 'POOLDECK_AUTHKEY';

/** The environment variable holding the channel's address (a Unix socket path or a Windows pipe name). */
export const ADDRESS_ENV = 'POOLDECK_ADDRESS';

const runKey = randomBytes(AUTHKEY_LENGTH);

/**
 * This run's authkey (multiprocessing's `current_process().authkey`): the same 32 bytes for the whole
 * Node process. A copy, so that nobody can change the run's key by writing into it.
 */
export function runAuthkey(): Buffer {
  return Buffer.from(runKey);
}

/**
 * A copy of an authkey given as an option, or a TypeError naming `owner` and what is valid: exactly
 * AUTHKEY_LENGTH bytes, so that the key always travels as 64 hex digits and never guessably short.
 */
export function checkedAuthkey(value: unknown, owner: string): Buffer {
  if (!Buffer.isBuffer(value) || value.length !== AUTHKEY_LENGTH) {
    const got = Buffer.isBuffer(value) ? `a Buffer of ${value.length} bytes` : value === null ? 'null' : typeof value;
    throw new TypeError(`${owner}: \`authkey\` must be a Buffer of exactly ${AUTHKEY_LENGTH} bytes, e.g. crypto.randomBytes(${AUTHKEY_LENGTH}) (got ${got})`);
  }
  return Buffer.from(value);
}
