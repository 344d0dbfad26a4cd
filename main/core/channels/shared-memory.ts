// Value and SharedArray: multiprocessing.Value and Array in shared memory. The numbers live in a file
// in /dev/shm (the temp folder where there is none) that a Python process maps (ctypes over mmap), so a
// write there sends no message; the app reads and writes the same bytes with positioned reads and
// writes, which the page cache keeps coherent with the mapping. Each has a brokered Lock for
// read-modify-write (getLock()). Files are removed on close() and when the app exits; those left by
// an app that crashed are removed when the next run makes its first one.

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CARRIED_AS_TAG, channelTag, defaultBroker, type Broker, type BrokeredObject, type ChannelKind, type ChannelRequest } from './broker.js';
import { Lock } from './locks.js';

interface Typecode {
  size: number;
  integer: boolean;
  read(buffer: Buffer): number;
  write(buffer: Buffer, value: number): void;
}

const LITTLE = endianness() === 'LE';
/** C's long: 8 bytes on 64-bit Linux and macOS, 4 on Windows (as Python's array 'l'). */
const LONG_SIZE = process.platform === 'win32' ? 4 : 8;

function integer(bits: number, signed: boolean): Typecode {
  const size = bits / 8;
  const wrap = (value: number): bigint => (signed ? BigInt.asIntN(bits, BigInt(value)) : BigInt.asUintN(bits, BigInt(value)));
  return {
    size,
    integer: true,
    read: (buffer) => {
      const raw = LITTLE ? buffer.readBigUInt64LE(0) : buffer.readBigUInt64BE(0);
      const masked = BigInt.asUintN(bits, LITTLE ? raw : raw >> BigInt(64 - bits));
      return Number(signed ? BigInt.asIntN(bits, masked) : masked);
    },
    write: (buffer, value) => {
      const wrapped = BigInt.asUintN(64, wrap(value));
      if (LITTLE) buffer.writeBigUInt64LE(wrapped, 0);
      else buffer.writeBigUInt64BE(wrapped << BigInt(64 - bits), 0);
    },
  };
}

const float = (size: 4 | 8): Typecode => ({
  size,
  integer: false,
  read: (buffer) => (size === 4 ? (LITTLE ? buffer.readFloatLE(0) : buffer.readFloatBE(0)) : LITTLE ? buffer.readDoubleLE(0) : buffer.readDoubleBE(0)),
  write: (buffer, value) => {
    if (size === 4) void (LITTLE ? buffer.writeFloatLE(value, 0) : buffer.writeFloatBE(value, 0));
    else void (LITTLE ? buffer.writeDoubleLE(value, 0) : buffer.writeDoubleBE(value, 0));
  },
});

/** The typecodes of Python's array module, with C's sizes. */
const TYPECODES: Record<string, Typecode> = {
  b: integer(8, true),
  B: integer(8, false),
  h: integer(16, true),
  H: integer(16, false),
  i: integer(32, true),
  I: integer(32, false),
  l: integer(LONG_SIZE * 8, true),
  L: integer(LONG_SIZE * 8, false),
  q: integer(64, true),
  Q: integer(64, false),
  f: float(4),
  d: float(8),
};

const FILE_PREFIX = 'pooldeck-shm-';
const openFiles = new Set<string>();
let cleanedStale = false;

function sharedFolder(): string {
  return process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the shared files in `folder` that a run which ended left (its pid is in each name); returns their paths. */
export function removeStaleSharedFiles(folder: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(folder)) {
    const pid = Number(/^pooldeck-shm-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(folder, name), { force: true });
    removed.push(join(folder, name));
  }
  return removed;
}

/** Removes what an earlier run left, once per run, and arranges for ours to go at exit. */
function prepareFolder(folder: string): void {
  if (cleanedStale) return;
  cleanedStale = true;
  removeStaleSharedFiles(folder);
  process.once('exit', () => {
    for (const path of openFiles) rmSync(path, { force: true });
  });
}

function checkedTypecode(typecode: unknown, label: string): Typecode {
  if (typeof typecode !== 'string' || !Object.hasOwn(TYPECODES, typecode)) {
    throw new TypeError(`${label}: the typecode must be one of ${Object.keys(TYPECODES).join(' ')} (as Python's array module), not ${JSON.stringify(typecode) ?? String(typecode)}`);
  }
  return TYPECODES[typecode]!;
}

export interface SharedOptions {
  /** Unique among the broker's objects. Default `Value-1`, `SharedArray-1`, … */
  name?: string;
  broker?: Broker;
}

/** Numbers of one typecode in a shared file: what Value and SharedArray have in common. */
abstract class SharedNumbers implements BrokeredObject {
  abstract readonly kind: ChannelKind;
  readonly name: string;
  readonly typecode: string;
  readonly length: number;
  readonly broker: Broker;
  /** The shared file: Python processes map it. */
  readonly path: string;
  readonly [CARRIED_AS_TAG] = true;
  readonly #type: Typecode;
  readonly #scratch = Buffer.alloc(8);
  readonly #lock: Lock;
  #fd: number | null;

  constructor(kind: ChannelKind, label: string, typecode: unknown, length: number, options: SharedOptions) {
    this.#type = checkedTypecode(typecode, label);
    this.typecode = typecode as string;
    this.length = length;
    this.broker = options.broker ?? defaultBroker();
    this.name = this.broker.nameFor(kind, label, options.name);
    const folder = sharedFolder();
    prepareFolder(folder);
    this.path = join(folder, `${FILE_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    this.#fd = openSync(this.path, 'wx+', 0o600);
    openFiles.add(this.path);
    // A zeroed file of the whole size, at least one byte (mmap refuses an empty file).
    writeSync(this.#fd, Buffer.alloc(Math.max(1, length * this.#type.size)), 0, Math.max(1, length * this.#type.size), 0);
    this.#lock = new Lock({ name: `${this.name}.lock`, broker: this.broker });
  }

  /** The brokered Lock that goes with it (multiprocessing's get_lock()). */
  getLock(): Lock {
    return this.#lock;
  }

  /** Removes the shared file and stops serving it (and its lock). */
  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
    rmSync(this.path, { force: true });
    openFiles.delete(this.path);
    this.broker.remove(this);
    this.broker.remove(this.#lock);
  }

  toJSON(): Record<string, unknown> {
    return channelTag(this.kind, this.name, this.#fields());
  }

  open(): Record<string, unknown> {
    return { kind: this.kind, name: this.name, ...this.#fields() };
  }

  serve(_party: unknown, request: ChannelRequest): void {
    throw new TypeError(`a ${this.kind} has no op ${JSON.stringify(request.op)}: read and write its shared file (open gives its path)`);
  }

  partyGone(): void {}

  protected read(index: number): number {
    this.#checkIndex(index);
    readSync(this.#open(), this.#scratch, 0, this.#type.size, index * this.#type.size);
    return this.#type.read(this.#scratch);
  }

  protected write(index: number, value: unknown): void {
    this.#checkIndex(index);
    if (typeof value !== 'number' || (this.#type.integer && !Number.isInteger(value))) {
      const valid = this.#type.integer ? 'an integer' : 'a number';
      throw new TypeError(`${this.name} holds '${this.typecode}' values: ${valid} is needed, not ${JSON.stringify(value) ?? String(value)}`);
    }
    this.#scratch.fill(0);
    this.#type.write(this.#scratch, value);
    writeSync(this.#open(), this.#scratch, 0, this.#type.size, index * this.#type.size);
  }

  #fields(): Record<string, unknown> {
    return { typecode: this.typecode, length: this.length, path: this.path, lock: this.#lock.name };
  }

  #open(): number {
    if (this.#fd === null) throw new Error(`${this.name} was closed`);
    return this.#fd;
  }

  #checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`${this.name}: index ${index} is outside 0…${this.length - 1}`);
  }
}

/** multiprocessing.Value(typecode, initial): one number in shared memory. */
export class Value extends SharedNumbers {
  readonly kind = 'value';

  constructor(typecode: string, initial = 0, options: SharedOptions = {}) {
    super('value', 'Value', typecode, 1, options);
    this.broker.add(this);
    this.value = initial;
  }

  get value(): number {
    return this.read(0);
  }

  set value(value: number) {
    this.write(0, value);
  }
}

/** multiprocessing.Array(typecode, sizeOrValues): numbers in shared memory. */
export class SharedArray extends SharedNumbers {
  readonly kind = 'array';

  constructor(typecode: string, lengthOrValues: number | readonly number[], options: SharedOptions = {}) {
    const values = typeof lengthOrValues === 'number' ? null : lengthOrValues;
    const length = values ? values.length : lengthOrValues;
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
      throw new TypeError(`SharedArray: give a length (an integer ≥ 0) or an array of numbers, not ${JSON.stringify(lengthOrValues) ?? String(lengthOrValues)}`);
    }
    super('array', 'SharedArray', typecode, length as number, options);
    this.broker.add(this);
    values?.forEach((value, index) => this.write(index, value));
  }

  get(index: number): number {
    return this.read(index);
  }

  set(index: number, value: number): void {
    this.write(index, value);
  }

  toArray(): number[] {
    return Array.from({ length: this.length }, (_, index) => this.read(index));
  }
}
