// The channel's challenge–response, byte for byte as CPython's multiprocessing.connection speaks it
// (3.12+: deliver_challenge / answer_challenge with a `{sha256}` digest), so that
// `multiprocessing.connection.Client(address, authkey=...)` can connect. Frames are a 4-byte
// big-endian signed length and the payload. Only HMAC-SHA256 is accepted: the MD5 answers of
// Python 3.11 and older are refused (the helpers speak SHA-256 on every Python version).

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CHALLENGE = Buffer.from('#CHALLENGE#');
export const WELCOME = Buffer.from('#WELCOME#');
export const FAILURE = Buffer.from('#FAILURE#');
export const DIGEST_PREFIX = Buffer.from('{sha256}');
/** Random bytes in a challenge, after the digest prefix (CPython's MESSAGE_LENGTH). */
const NONCE_LENGTH = 40;
/** CPython answers an old server's 20-byte challenge with a bare 16-byte HMAC-MD5. */
const MD5_DIGEST_LENGTH = 16;
const SHA256_LENGTH = 32;
/** Longest frame read during the handshake: CPython's `recv_bytes(256)`. */
const MAX_HANDSHAKE_FRAME = 256;

/** `payload` with its 4-byte big-endian length in front. */
export function encodeFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/** Collects bytes and cuts them into frames, refusing any longer than `maxLength`. */
export class FrameReader {
  #buffered: Buffer = Buffer.alloc(0);

  constructor(readonly maxLength = MAX_HANDSHAKE_FRAME) {}

  push(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
  }

  /**
   * The next whole frame, or null until it has arrived. Throws a RangeError for a length outside
   * 0…maxLength (a negative one is CPython's marker for an 8-byte length: far too long here).
   */
  next(): Buffer | null {
    if (this.#buffered.length < 4) return null;
    const length = this.#buffered.readInt32BE(0);
    if (length < 0 || length > this.maxLength) {
      const shown = length < 0 ? 'over 2 GiB (an 8-byte length)' : `${length} bytes`;
      throw new RangeError(`sent a frame of ${shown}; at most ${this.maxLength} bytes are allowed during the handshake`);
    }
    if (this.#buffered.length < 4 + length) return null;
    const frame = this.#buffered.subarray(4, 4 + length);
    this.#buffered = this.#buffered.subarray(4 + length);
    return frame;
  }

  /** What arrived after the last frame taken: the first bytes of what follows the handshake. */
  rest(): Buffer {
    return this.#buffered;
  }
}

/** A fresh challenge message (what follows `#CHALLENGE#`): `{sha256}` and 40 random bytes. */
export function newChallengeMessage(): Buffer {
  return Buffer.concat([DIGEST_PREFIX, randomBytes(NONCE_LENGTH)]);
}

/** The answer to `message` under `authkey`: `{sha256}` + HMAC-SHA256 over the whole message, prefix included. */
export function answerFor(authkey: Buffer, message: Buffer): Buffer {
  return Buffer.concat([DIGEST_PREFIX, createHmac('sha256', authkey).update(message).digest()]);
}

/**
 * Which of `keys` produced `answer` to our challenge `message`: its index, or a reason (for the
 * record of refused attempts) when none did.
 */
export function matchAnswer(keys: readonly Buffer[], message: Buffer, answer: Buffer): number | string {
  if (answer.length === MD5_DIGEST_LENGTH) {
    return 'answered with HMAC-MD5, as multiprocessing does before Python 3.12; only {sha256} answers are accepted (use pooldeck_worker.connect() on older Pythons)';
  }
  if (answer.length !== DIGEST_PREFIX.length + SHA256_LENGTH || !answer.subarray(0, DIGEST_PREFIX.length).equals(DIGEST_PREFIX)) {
    return `answered with ${answer.length} bytes that are not {sha256} and a 32-byte HMAC`;
  }
  const mac = answer.subarray(DIGEST_PREFIX.length);
  for (let i = 0; i < keys.length; i += 1) {
    if (timingSafeEqual(createHmac('sha256', keys[i]).update(message).digest(), mac)) return i;
  }
  return 'answered with an HMAC that matches no key this channel accepts (a wrong authkey)';
}

/** The message of a client's `#CHALLENGE#{sha256}…` frame, or a reason when it is not one. */
export function challengeMessageOf(frame: Buffer): Buffer | string {
  if (!frame.subarray(0, CHALLENGE.length).equals(CHALLENGE)) return 'sent no challenge of its own after the welcome (expected #CHALLENGE#)';
  const message = frame.subarray(CHALLENGE.length);
  if (!message.subarray(0, DIGEST_PREFIX.length).equals(DIGEST_PREFIX) || message.length < DIGEST_PREFIX.length + 20) {
    return 'challenged with something other than {sha256} and at least 20 random bytes';
  }
  return message;
}
