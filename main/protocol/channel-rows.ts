// The Channels view's rows: each queue, pipe, shared value, lock and event the app's broker serves,
// with the figures the user watches (depths, rates, who holds what, who is blocked). Types only.

/** A process taking part, as users see it: its name (null when the app did not start it) and pid. */
export interface ChannelParty {
  pid: number;
  name: string | null;
}

interface ChannelRowBase {
  /** Unique across the broker's objects: what processes open it by. */
  name: string;
  /**
   * The last minute of one figure per sampling tick, oldest first: a queue's depth, a value, a
   * semaphore's free permits. Empty for kinds with no number to draw.
   */
  history: number[];
  /**
   * The connected processes that opened it or asked it for something (a Value passed in a target's
   * arguments and only read or written in shared memory sends nothing, so its users do not show).
   */
  users: ChannelParty[];
}

export interface QueueChannelRow extends ChannelRowBase {
  kind: 'queue';
  size: number;
  /** 0: no limit. */
  maxsize: number;
  closed: boolean;
  /** Items per second over the last sampling tick. */
  putRate: number;
  getRate: number;
  putRateHistory: number[];
  getRateHistory: number[];
  blockedPutting: ChannelParty[];
  blockedGetting: ChannelParty[];
  /** The oldest few items as JSON text, each cut to a few hundred characters. */
  oldest: string[];
}

export interface PipeEndRow {
  index: 0 | 1;
  readable: boolean;
  writable: boolean;
  closed: boolean;
  /** The app holds it: the view's console can send on it. */
  heldByApp: boolean;
  /** The processes holding it (not the app). */
  holders: ChannelParty[];
  /** Messages received through this end so far. */
  received: number;
  /** Messages sent to this end and not yet received. */
  waiting: number;
}

export interface PipeChannelRow extends ChannelRowBase {
  kind: 'pipe';
  duplex: boolean;
  ends: [PipeEndRow, PipeEndRow];
}

export interface SharedChannelRow extends ChannelRowBase {
  kind: 'value' | 'array';
  typecode: string;
  length: number;
  /** Read at the last sampling tick; an array's first SHARED_VALUES_SHOWN only. */
  values: number[];
}

export interface LockHolder extends ChannelParty {
  /** Permits held: an RLock's depth, a semaphore's count; 1 for a lock. */
  count: number;
  /** When it took its first permit (ms since the epoch). */
  since: number;
}

/** A process that ended holding the object: its permits were released. */
export interface Abandonment {
  holder: ChannelParty;
  at: number;
}

export interface LockChannelRow extends ChannelRowBase {
  kind: 'lock' | 'rlock' | 'semaphore';
  holders: LockHolder[];
  waiting: ChannelParty[];
  /** A semaphore's free permits; null for locks. */
  free: number | null;
  /** The last holder that died holding it, until the object is acquired again. */
  abandoned: Abandonment | null;
}

export interface EventChannelRow extends ChannelRowBase {
  kind: 'event';
  isSet: boolean;
  waiting: ChannelParty[];
}

export type ChannelRow = QueueChannelRow | PipeChannelRow | SharedChannelRow | LockChannelRow | EventChannelRow;

/** What listChannels answers: every object (at most MAX_CHANNEL_ROWS), as of the last sampling tick. */
export interface ChannelList {
  time: number;
  sampleIntervalMs: number;
  channels: ChannelRow[];
  /** Objects left out beyond the cap. */
  omitted: number;
}
