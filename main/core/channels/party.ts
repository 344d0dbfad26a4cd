// Who uses a channel object: the app itself, or a process connected to the app's channel. Locks
// remember their holder, pipe ends who holds them, and a waiting call who waits, so that when a
// process ends the broker can release what it held and drop what it waited for.

/** The app (this Node process), or a process's connection to the channel (a ChannelConnection). */
export interface Party {
  readonly pid: number;
  /** The process's name when the app started it (its member), else null. */
  readonly member?: { readonly name: string } | null;
  /** Writes the process a JSON line (ending in a newline) it did not ask for: a pipe's pushed message. The app has none. */
  sendLine?(line: string): void;
}

/** The app itself: what the main-side objects act as. */
export const APP: Party = Object.freeze({ pid: process.pid, member: Object.freeze({ name: 'app' }) });

/** A process as users see it: its name and pid. */
export interface PartyInfo {
  pid: number;
  name: string | null;
}

export function partyInfo(party: Party): PartyInfo {
  return { pid: party.pid, name: party.member?.name ?? null };
}
