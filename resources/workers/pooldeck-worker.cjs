'use strict';
// Make a Node function a Pooldeck worker (worker protocol v1). CommonJS, no dependencies.
//
//   const { serve } = require('./pooldeck-worker.cjs');
//   serve(async (x) => x * x);
//
// The pool runs this program with a duplex channel on file descriptor 3 (env POOLDECK_CHANNEL_FD=3)
// and writes one JSON object per line: {"type":"task","id":1,"args":[3]}. serve() calls
// handler(...args) for each task, one at a time, in order (an async handler is awaited before the
// next task starts), and answers {"type":"result","id":1,"ok":true,"value":9}. A throw or rejection,
// or a value that is not JSON, becomes {"type":"result","id":1,"ok":false,"error":{type,message,traceback}}.
// The process exits (status 0) on {"type":"exit"} or when the channel closes.
// stdout and stderr stay yours. See docs/worker-protocol.md.

const fs = require('node:fs');
const net = require('node:net');

const PROTOCOL_VERSION = 1;
/**
 * Results are written in batches, flushed when the tasks at hand are done, before awaiting an
 * async handler, and while tasks run synchronously every FLUSH_EVERY_RESULTS results or
 * FLUSH_EVERY_MS, so that the pool can hand out more work while this worker goes on.
 */
const FLUSH_EVERY_MS = 5;
const FLUSH_EVERY_RESULTS = 64;

function errorLine(id, error) {
  let type = 'Error';
  let message;
  let traceback;
  if (error instanceof Error) {
    type = error.name || (error.constructor && error.constructor.name) || 'Error';
    message = error.message;
    traceback = typeof error.stack === 'string' ? error.stack : undefined;
  } else {
    try {
      message = typeof error === 'string' ? error : JSON.stringify(error);
    } catch {
      message = undefined;
    }
    if (message === undefined) message = String(error);
  }
  const info = { type, message: String(message) };
  if (traceback !== undefined) info.traceback = traceback;
  return `{"type":"result","id":${id},"ok":false,"error":${JSON.stringify(info)}}\n`;
}

function resultLine(id, value) {
  let json;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    return errorLine(id, new TypeError(`the handler returned a value that is not JSON-serialisable: ${error.message}`));
  }
  // A function or a symbol stringifies to undefined: send null, as JSON would inside an array.
  if (json === undefined) json = 'null';
  return `{"type":"result","id":${id},"ok":true,"value":${json}}\n`;
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/**
 * Serves tasks on the Pooldeck channel until told to exit.
 * @param {(...args: any[]) => any} handler called with the task's arguments; may return a promise.
 * @param {() => any} [initializer] runs once before the first task (may return a promise);
 *   {"type":"ready"} is sent after it.
 */
function serve(handler, initializer) {
  if (typeof handler !== 'function') throw new TypeError('serve(handler): handler must be a function');
  const fdText = process.env.POOLDECK_CHANNEL_FD;
  if (fdText === undefined) {
    process.stderr.write(
      'pooldeck-worker: no channel (POOLDECK_CHANNEL_FD is not set). This program is a Pooldeck worker: run it from a worker-mode pool.\n',
    );
    process.exit(2);
  }
  const channel = new net.Socket({ fd: Number(fdText), readable: true, writable: true });
  channel.setEncoding('utf8');
  channel.setNoDelay?.(true);

  // Tasks received and not run yet: an array with a moving head (no shift()).
  let tasks = [];
  let head = 0;
  let rest = '';
  let out = '';
  let unflushed = 0;
  let lastFlush = 0;
  let pumping = false;
  let initialized = false;
  let exitRequested = false;
  let exiting = false;

  function flush() {
    unflushed = 0;
    if (out.length === 0) return;
    const data = out;
    out = '';
    channel.write(data);
  }

  function exitNow() {
    if (exiting) return;
    exiting = true;
    const data = out;
    out = '';
    channel.end(data, () => process.exit(0));
    // If the write cannot complete (the pool is gone), do not linger.
    setTimeout(() => process.exit(0), 2000).unref();
  }

  async function pump() {
    if (pumping || !initialized) return;
    pumping = true;
    try {
      lastFlush = Date.now();
      while (head < tasks.length) {
        const task = tasks[head];
        tasks[head] = undefined;
        head += 1;
        let line;
        try {
          let value = handler(...task.args);
          if (isThenable(value)) {
            flush(); // answers so far go out before waiting
            value = await value;
            lastFlush = Date.now();
          }
          line = resultLine(task.id, value);
        } catch (error) {
          line = errorLine(task.id, error);
        }
        out += line;
        unflushed += 1;
        if (unflushed >= FLUSH_EVERY_RESULTS || Date.now() - lastFlush >= FLUSH_EVERY_MS) {
          flush();
          lastFlush = Date.now();
        }
      }
      tasks = [];
      head = 0;
    } finally {
      pumping = false;
    }
    flush();
    if (exitRequested) exitNow();
  }

  function onLine(line) {
    if (line.length === 0) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      process.stderr.write(`pooldeck-worker: ignoring a line that is not JSON: ${JSON.stringify(line.slice(0, 80))}\n`);
      return;
    }
    if (message === null || typeof message !== 'object') return;
    if (message.type === 'task') {
      const args = Array.isArray(message.args) ? message.args : message.args === undefined ? [] : [message.args];
      tasks.push({ id: message.id, args });
    } else if (message.type === 'exit') {
      exitRequested = true;
    }
    // Other types (later protocol versions) are ignored.
  }

  channel.on('data', (chunk) => {
    let text = rest.length === 0 ? chunk : rest + chunk;
    let start = 0;
    let end = text.indexOf('\n');
    while (end !== -1) {
      onLine(text.slice(start, end));
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    rest = start === 0 ? text : text.slice(start);
    if (pumping) return;
    if (exitRequested && head >= tasks.length && initialized) exitNow();
    else void pump();
  });
  // A handler that calls process.exit() or throws asynchronously: send the answers already made.
  process.on('exit', () => {
    if (out.length === 0 || exiting) return;
    try {
      fs.writeSync(Number(fdText), out);
    } catch {
      // The channel is full or gone: nothing more can be done.
    }
  });
  // The pool closed the channel: nobody is listening any more.
  channel.on('end', () => process.exit(0));
  channel.on('error', () => process.exit(0));

  Promise.resolve()
    .then(() => (initializer ? initializer() : undefined))
    .then(
      () => {
        initialized = true;
        channel.write('{"type":"ready"}\n');
        if (exitRequested && head >= tasks.length) exitNow();
        else void pump();
      },
      (error) => {
        process.stderr.write(`pooldeck-worker: the initializer failed: ${error && error.stack ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
}

module.exports = { serve, PROTOCOL_VERSION };
