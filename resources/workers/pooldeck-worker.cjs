'use strict';
// Make a Node function a Pooldeck worker (worker protocol v1.1). CommonJS, no dependencies.
//
//   const { serve } = require('./pooldeck-worker.cjs');
//   serve(async (x) => x * x);
//
// The pool runs this program with a duplex channel on file descriptor 3 (env POOLDECK_CHANNEL_FD=3)
// and writes one JSON object per line: {"type":"task","id":1,"args":[3]}. serve() calls
// handler(...args) for each task, one at a time, in order (an async handler is awaited before the
// next task starts), and answers {"type":"result","id":1,"ok":true,"value":9}. A throw or rejection,
// or a value that is not JSON, becomes {"type":"result","id":1,"ok":false,"error":{type,message,traceback}}.
// A task with keyword arguments ({"type":"task","id":1,"args":[3],"kwargs":{"scale":2}}, sent by
// pool.apply(args, kwargs)) calls handler(...args, kwargs): the kwargs object is one more, last
// argument; a task without them gets exactly its args.
// It says which protocol version it speaks and opts in to the batch extension
// ({"type":"ready","version":1,"minor":1,"batch":true}): a map chunk then comes as
// {"type":"batch","id":5,"items":[1,2,...]} (or "args":[[1,2],[3,4],...] for starmap) and is
// answered with one line,
// {"type":"batch_result","id":5,"ok":true,"values":[1,4,...]}, or on the first item that throws,
// {"type":"batch_result","id":5,"ok":false,"index":i,"error":{type,message,traceback}}.
// The process exits (status 0) on {"type":"exit"} or when the channel closes.
// stdout and stderr stay yours. See docs/worker-protocol.md.
//
// Any process the app starts (and its descendants) can also talk to the app over its channel:
//   const channel = await connect();   // POOLDECK_ADDRESS, POOLDECK_AUTHKEY
//   channel.send({ type: 'note', text: 'hi' });

const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');

const PROTOCOL_VERSION = 1;
const PROTOCOL_MINOR = 1;
/**
 * Results are written in batches, flushed when the tasks at hand are done, before awaiting an
 * async handler, and while tasks run synchronously every FLUSH_EVERY_RESULTS results or
 * FLUSH_EVERY_MS, so that the pool can hand out more work while this worker goes on.
 */
const FLUSH_EVERY_MS = 5;
const FLUSH_EVERY_RESULTS = 64;

function errorInfo(error) {
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
  return JSON.stringify(info);
}

function errorLine(id, error) {
  return `{"type":"result","id":${id},"ok":false,"error":${errorInfo(error)}}\n`;
}

function batchErrorLine(id, index, error) {
  return `{"type":"batch_result","id":${id},"ok":false,"index":${index},"error":${errorInfo(error)}}\n`;
}

function notJson(error) {
  return new TypeError(`the handler returned a value that is not JSON-serialisable: ${error.message}`);
}

/** The answer to a batch whose values are all in: one JSON.stringify for the whole list. */
function batchLine(id, values) {
  let json;
  try {
    json = JSON.stringify(values);
  } catch (error) {
    // Name the item at fault, as a single task would.
    for (let i = 0; i < values.length; i += 1) {
      try {
        JSON.stringify(values[i]);
      } catch (itemError) {
        return batchErrorLine(id, i, notJson(itemError));
      }
    }
    return batchErrorLine(id, 0, notJson(error));
  }
  return `{"type":"batch_result","id":${id},"ok":true,"values":${json}}\n`;
}

function resultLine(id, value) {
  let json;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    return errorLine(id, notJson(error));
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
  const transport = process.env.POOLDECK_WORKER_TRANSPORT || 'fd3';
  const noChannel = (what) => {
    process.stderr.write(`pooldeck-worker: no channel (${what}). This program is a Pooldeck worker: run it from a worker-mode pool.\n`);
    process.exit(2);
  };
  if (transport === 'socket') {
    const address = process.env.POOLDECK_WORKER_ADDRESS;
    const keyHex = process.env.POOLDECK_AUTHKEY;
    if (!address || !keyHex) noChannel('POOLDECK_WORKER_ADDRESS and POOLDECK_AUTHKEY are not both set');
    connectWorkerSocket(address, Buffer.from(keyHex, 'hex')).then(
      (channel) => serveOn(channel, null, handler, initializer),
      (error) => {
        process.stderr.write(`pooldeck-worker: cannot open the channel at ${address}: ${error.message}\n`);
        process.exit(2);
      },
    );
    return;
  }
  if (transport !== 'fd3') {
    process.stderr.write(`pooldeck-worker: POOLDECK_WORKER_TRANSPORT must be fd3 or socket, not ${JSON.stringify(transport)}\n`);
    process.exit(2);
  }
  const fdText = process.env.POOLDECK_CHANNEL_FD;
  if (fdText === undefined) noChannel('POOLDECK_CHANNEL_FD is not set');
  serveOn(new net.Socket({ fd: Number(fdText), readable: true, writable: true }), Number(fdText), handler, initializer);
}

/**
 * Socket mode (POOLDECK_WORKER_TRANSPORT=socket, Windows' default): connects to the worker's own
 * listener and proves the authkey with the channel's handshake; resolves to the socket, which then
 * carries the protocol's lines, with what came after the handshake put back in front.
 */
async function connectWorkerSocket(address, authkey) {
  const socket = net.connect(address);
  const reader = new SocketReader(socket);
  try {
    await handshake(socket, reader, authkey);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  socket.removeAllListeners('data');
  socket.removeAllListeners('close');
  socket.removeAllListeners('error');
  if (reader.buffer.length > 0) socket.unshift(reader.buffer);
  return socket;
}

/** serve() on an open channel: `fd` is its descriptor (fd 3), or null for a socket. */
function serveOn(channel, fd, handler, initializer) {
  channel.setEncoding('utf8');
  channel.setNoDelay?.(true);

  // Tasks received and not run yet: an array with a moving head (no shift()).
  let tasks = [];
  let head = 0;
  // Text after the last newline, in the pieces it came in (joined once its line ends: a batch
  // line arrives in many chunks).
  let pieces = [];
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

  /** Runs a batch's items in order and returns its answer line; stops at the first that throws. */
  async function runBatch(id, list, star, tagged) {
    const values = new Array(list.length);
    let i = 0;
    try {
      // Channel objects in the items: connect (once) and make them live first.
      if (tagged) list = await withObjects(list);
      for (; i < list.length; i += 1) {
        let value = star ? handler(...list[i]) : handler(list[i]);
        if (isThenable(value)) {
          flush(); // answers so far go out before waiting
          value = await value;
        }
        values[i] = value;
      }
    } catch (error) {
      return batchErrorLine(id, i, error);
    }
    return batchLine(id, values);
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
        if (task.batch !== undefined) {
          // A batch's answer goes out at once: holding it while the next batch runs would leave
          // the pool waiting for a whole batch's time.
          out += await runBatch(task.id, task.batch, task.star, task.tagged);
          flush();
          lastFlush = Date.now();
          continue;
        }
        let line;
        try {
          if (task.tagged) task.args = await withObjects(task.args);
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
      const kwargs = message.kwargs;
      if (kwargs !== null && typeof kwargs === 'object' && !Array.isArray(kwargs)) args.push(kwargs);
      tasks.push({ id: message.id, args, tagged: line.includes('"$pooldeck"') });
    } else if (message.type === 'batch') {
      // `args`: argument lists (starmap); `items`: each item is the only argument (map).
      const tagged = line.includes('"$pooldeck"');
      if (Array.isArray(message.items)) tasks.push({ id: message.id, batch: message.items, star: false, tagged });
      else tasks.push({ id: message.id, batch: Array.isArray(message.args) ? message.args.map((a) => (Array.isArray(a) ? a : [a])) : [], star: true, tagged });
    } else if (message.type === 'exit') {
      exitRequested = true;
    }
    // Other types (later protocol versions) are ignored.
  }

  channel.on('data', (chunk) => {
    let start = 0;
    let end = chunk.indexOf('\n');
    if (end !== -1 && pieces.length > 0) {
      pieces.push(chunk.slice(0, end));
      const line = pieces.join('');
      pieces = [];
      onLine(line);
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    while (end !== -1) {
      onLine(chunk.slice(start, end));
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) pieces.push(start === 0 ? chunk : chunk.slice(start));
    if (pumping) return;
    if (exitRequested && head >= tasks.length && initialized) exitNow();
    else void pump();
  });
  // A handler that calls process.exit() or throws asynchronously: send the answers already made.
  process.on('exit', () => {
    if (out.length === 0 || exiting) return;
    // A socket's descriptor (Linux, macOS); a Windows named pipe has none: what is not sent yet is lost with the process.
    const exitFd = fd !== null ? fd : channel._handle && channel._handle.fd >= 0 ? channel._handle.fd : null;
    if (exitFd === null) return;
    try {
      fs.writeSync(exitFd, out);
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
        channel.write(`{"type":"ready","version":${PROTOCOL_VERSION},"minor":${PROTOCOL_MINOR},"batch":true}\n`);
        if (exitRequested && head >= tasks.length) exitNow();
        else void pump();
      },
      (error) => {
        process.stderr.write(`pooldeck-worker: the initializer failed: ${error && error.stack ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
}

// ---------------------------------------------------------------------------------------------------
// Running a target: node pooldeck-worker.cjs run FILE.mjs|.cjs|.js:EXPORT
//
// Process({ target }) starts this with the channel on fd 3 (POOLDECK_CHANNEL_FD). It reads one line,
// {"type":"call","name":"Process-1","args":[...],"kwargs":{...}} ("kwargs" only when given), loads
// the export, calls it with (...args) — and kwargs as one more, last argument when given — awaiting a
// promise, and writes one line back before exiting: {"type":"return","value":...} or
// {"type":"error","error":{type,message,traceback}}. A class is constructed with the same arguments and
// its run() is called. Exit codes as Python's multiprocessing: return 0; a throw or rejection 1, with
// "Process <name>:" and the stack on stderr; process.exit(n) n; an export that cannot be loaded 1
// (FileNotFoundError, AttributeError or SyntaxError, the message naming the file and the export); a
// value JSON can't carry (NaN, a Map, a Date, a BigInt, …) 1, with a TypeError naming its type.

/** Where `value` holds something JSON would lose or refuse, or null. */
function jsonProblem(value, at) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${at} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const problem = jsonProblem(value[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      return `${at} is a ${(value.constructor && value.constructor.name) || 'object'}`;
    }
    for (const key of Object.keys(value)) {
      const problem = jsonProblem(value[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return null;
  }
  return `${at} is ${value === undefined ? 'undefined' : `a ${typeof value}`}`;
}

function loadError(type, message) {
  const error = new Error(message);
  error.loadType = type;
  return error;
}

/**
 * `FILE:LINE` of a syntax error, asked of `node --check`: an ES module's SyntaxError does not say
 * where it is. Just FILE when that cannot tell.
 */
function syntaxErrorLine(file) {
  const check = require('node:child_process').spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const first = String(check.stderr || '').split('\n')[0];
  return first.startsWith(`${file}:`) ? first : file;
}

/** The module of FILE.mjs|.cjs|.js `where`; a failure names `what` (the target or file) and the cause. */
async function loadModule(where, what) {
  const path = require('node:path');
  const file = path.resolve(where);
  if (!fs.existsSync(file)) throw loadError('FileNotFoundError', `cannot load ${what}: no such file ${file}`);
  try {
    return await import(require('node:url').pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) {
      const at = typeof error.stack === 'string' && error.stack.startsWith(file) ? error.stack.split('\n')[0] : syntaxErrorLine(file);
      throw loadError('SyntaxError', `cannot load ${what}: syntax error in ${at}: ${error.message}`);
    }
    const name = (error && error.name) || 'Error';
    throw loadError(name, `cannot load ${what}: importing ${where} threw ${error && error.message}`);
  }
}

async function loadTarget(targetText) {
  const colon = targetText.lastIndexOf(':');
  if (colon <= 0 || colon === targetText.length - 1) {
    throw loadError('ValueError', `target ${JSON.stringify(targetText)} must be FILE.mjs|.cjs|.js:EXPORT`);
  }
  const where = targetText.slice(0, colon);
  const attr = targetText.slice(colon + 1);
  const module = await loadModule(where, targetText);
  let value = module;
  for (const part of attr.split('.')) {
    let next = value == null ? undefined : value[part];
    // A CommonJS module's exports that Node could not name statically are on its default export.
    if (next === undefined && value === module && module.default != null) next = module.default[part];
    if (next === undefined) throw loadError('AttributeError', `cannot load ${targetText}: ${where} has no export '${attr}'`);
    value = next;
  }
  if (typeof value !== 'function') {
    throw loadError('TypeError', `cannot load ${targetText}: ${attr} in ${where} is a ${typeof value}, not a function or a class`);
  }
  return value;
}

function isClass(fn) {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function readCallLine(channel) {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      channel.off('data', onData);
      channel.pause();
      resolve(text.slice(0, newline));
    };
    channel.on('data', onData);
    channel.once('end', () => resolve(text));
  });
}

async function runTarget(targetText) {
  const fdText = process.env.POOLDECK_CHANNEL_FD;
  if (fdText === undefined) {
    process.stderr.write('pooldeck-worker: no channel (POOLDECK_CHANNEL_FD is not set): run targets with Process({ target }).\n');
    process.exit(2);
  }
  const channel = new net.Socket({ fd: Number(fdText), readable: true, writable: true });
  channel.setEncoding('utf8');
  channel.on('error', () => {});
  const line = await readCallLine(channel);
  let call = {};
  try {
    call = line.trim() ? JSON.parse(line) : {};
  } catch {
    // A call line that is not JSON: run with no arguments.
  }
  const name = call.name || 'Process';
  const args = Array.isArray(call.args) ? call.args : [];
  const hasKwargs = call.kwargs !== null && typeof call.kwargs === 'object';

  function finish(message, code) {
    process.exitCode = code;
    // Exit even if the target left timers or sockets behind, as a Python process ends after run().
    channel.end(`${JSON.stringify(message)}\n`, () => process.exit(code));
    setTimeout(() => process.exit(code), 2000).unref();
  }
  function fail(error, code) {
    finish({ type: 'error', error: JSON.parse(errorInfo(error)) }, code);
  }
  function failed(error) {
    process.stderr.write(`Process ${name}:\n${error && error.stack ? error.stack : String(error)}\n`);
    fail(error, 1);
  }

  let target;
  try {
    target = await loadTarget(targetText);
  } catch (error) {
    const type = error.loadType || error.name || 'Error';
    process.stderr.write(`Process ${name}: ${type}: ${error.message}\n`);
    finish({ type: 'error', error: { type, message: error.message, traceback: '' } }, 1);
    return;
  }
  process.on('uncaughtException', failed);
  process.on('unhandledRejection', failed);
  let value;
  try {
    const callArgs = await withObjects(hasKwargs ? [...args, call.kwargs] : args);
    value = isClass(target) ? new target(...callArgs).run() : target(...callArgs);
    if (isThenable(value)) value = await value;
  } catch (error) {
    failed(error);
    return;
  }
  if (value === undefined) value = null;
  const problem = jsonProblem(value, 'the value');
  if (problem) {
    const message = `${targetText} returned a value that JSON can't carry: ${problem}`;
    process.stderr.write(`Process ${name}: TypeError: ${message}\n`);
    finish({ type: 'error', error: { type: 'TypeError', message, traceback: '' } }, 1);
    return;
  }
  finish({ type: 'return', value }, 0);
}

/**
 * The parameter list of a function's source, `(a, b = 2)`: from its first `(` to the matching `)`,
 * skipping brackets inside strings. A class's is its constructor's. null when the source has none.
 */
function signatureOf(fn) {
  let source = Function.prototype.toString.call(fn);
  if (isClass(fn)) {
    const constructorAt = source.search(/\bconstructor\s*\(/);
    if (constructorAt === -1) return /^class\s[^{]*\bextends\b/.test(source) ? null : '()';
    source = source.slice(constructorAt);
  }
  const bare = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (bare) return `(${bare[1]})`;
  const open = source.indexOf('(');
  if (open === -1) return null;
  let depth = 0;
  let quote = null;
  for (let i = open; i < source.length; i += 1) {
    const char = source[i];
    if (quote !== null) {
      if (char === '\\') i += 1;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') {
      depth -= 1;
      if (depth === 0) return source.slice(open, i + 1);
    }
  }
  return null;
}

/** list FILE: one JSON line with the functions and classes FILE exports. */
async function listTargets(fileText) {
  const path = require('node:path');
  const write = process.stdout.write.bind(process.stdout);
  // What the file prints while it is imported must not mix with the answer line.
  process.stdout.write = process.stderr.write.bind(process.stderr);
  let answer;
  try {
    if (!/\.(mjs|cjs|js)$/.test(fileText)) throw loadError('ValueError', `cannot list ${fileText}: not a Node file (.mjs, .cjs or .js)`);
    const module = await loadModule(fileText, fileText);
    const exports = new Map(Object.entries(module).filter(([name]) => name !== 'default'));
    // A CommonJS module's exports that Node could not name statically are on its default export.
    const fallback = module.default;
    if (typeof fallback === 'function') exports.set('default', fallback);
    else if (fallback !== null && typeof fallback === 'object') {
      for (const [name, value] of Object.entries(fallback)) if (!exports.has(name)) exports.set(name, value);
    }
    const targets = [...exports]
      .filter(([, value]) => typeof value === 'function')
      .map(([name, value]) => ({ name, kind: isClass(value) ? 'class' : 'function', signature: signatureOf(value), doc: null }));
    answer = { type: 'targets', file: path.resolve(fileText), language: 'node', targets };
  } catch (error) {
    const type = error.loadType || error.name || 'Error';
    answer = { type: 'error', error: { type, message: error.message, traceback: '' } };
  }
  process.stdout.write = write;
  const code = answer.type === 'targets' ? 0 : 1;
  // Timers or sockets the imported file left must not hold the answer back.
  process.stdout.write(`${JSON.stringify(answer)}\n`, () => process.exit(code));
}

function usage() {
  process.stderr.write(
    'usage: pooldeck-worker.cjs run FILE.mjs|.cjs|.js:EXPORT\n' +
      '       pooldeck-worker.cjs serve FILE.mjs|.cjs|.js:EXPORT [--initializer TARGET] [--initargs JSON]\n' +
      '       pooldeck-worker.cjs list FILE.mjs|.cjs|.js\n',
  );
  process.exit(2);
}

/**
 * serve TARGET [--initializer INIT] [--initargs JSON]: a pool worker that loads TARGET (and INIT) once
 * and then is serve(TARGET, () => INIT(...initargs)). A class is constructed with each task's
 * arguments and its run() answers.
 */
async function serveTarget(targetText, options) {
  if (options.length % 2 !== 0) usage();
  const named = {};
  for (let i = 0; i < options.length; i += 2) {
    if (options[i] !== '--initializer' && options[i] !== '--initargs') usage();
    named[options[i]] = options[i + 1];
  }
  let target;
  let initializer;
  try {
    target = await loadTarget(targetText);
    if (named['--initializer'] !== undefined) initializer = await loadTarget(named['--initializer']);
  } catch (error) {
    process.stderr.write(`pooldeck-worker: ${error.loadType || error.name || 'Error'}: ${error.message}\n`);
    process.exit(1);
  }
  const initargs = JSON.parse(named['--initargs'] ?? '[]');
  const call = isClass(target) ? (...args) => new target(...args).run() : target;
  // JSON.stringify would turn NaN into null and a Map into {}: refuse such a value, naming it.
  const checked = (value) => {
    const problem = jsonProblem(value === undefined ? null : value, 'the value');
    if (problem) throw new TypeError(`${targetText} returned a value that JSON can't carry: ${problem}`);
    return value;
  };
  const handler = (...args) => {
    const value = call(...args);
    return isThenable(value) ? value.then(checked) : checked(value);
  };
  serve(handler, initializer ? () => initializer(...initargs) : undefined);
}

// ---------------------------------------------------------------------------------------------------
// The channel every process gets: connect() to POOLDECK_ADDRESS with POOLDECK_AUTHKEY. The handshake is
// multiprocessing.connection's (answer the channel's challenge, then challenge it) with HMAC-SHA256;
// then both sides write one JSON object per line, ours starting with {"type":"hello","pid":...}.

const CHALLENGE = Buffer.from('#CHALLENGE#');
const WELCOME = Buffer.from('#WELCOME#');
const FAILURE = Buffer.from('#FAILURE#');
const SHA256 = Buffer.from('{sha256}');
const MAX_HANDSHAKE_FRAME = 256;

class AuthenticationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

function sha256Answer(authkey, message) {
  return Buffer.concat([SHA256, crypto.createHmac('sha256', authkey).update(message).digest()]);
}

function frame(payload) {
  const header = Buffer.alloc(4);
  header.writeInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/** Reads a socket's bytes on demand: whole frames during the handshake, lines after it. */
class SocketReader {
  constructor(socket) {
    this.buffer = Buffer.alloc(0);
    this.ended = null;
    this.wake = null;
    socket.on('data', (chunk) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.#notify();
    });
    socket.on('close', () => {
      this.ended = this.ended || new Error('the channel closed');
      this.#notify();
    });
    socket.on('error', (error) => {
      this.ended = error;
      this.#notify();
    });
  }

  #notify() {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
  }

  /** Resolves once `take(buffer)` returns something other than undefined; rejects at the end. */
  async next(take) {
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.ended) throw this.ended;
      await new Promise((resolve) => {
        this.wake = resolve;
      });
    }
  }

  frame() {
    return this.next(() => {
      if (this.buffer.length < 4) return undefined;
      const size = this.buffer.readInt32BE(0);
      if (size < 0 || size > MAX_HANDSHAKE_FRAME) throw new AuthenticationError(`the channel sent a handshake frame of ${size} bytes`);
      if (this.buffer.length < 4 + size) return undefined;
      const payload = this.buffer.subarray(4, 4 + size);
      this.buffer = this.buffer.subarray(4 + size);
      return payload;
    });
  }

  line() {
    return this.next(() => {
      for (;;) {
        const end = this.buffer.indexOf(10);
        if (end < 0) return undefined;
        const text = this.buffer.toString('utf8', 0, end);
        this.buffer = this.buffer.subarray(end + 1);
        if (text.trim() !== '') return JSON.parse(text);
      }
    });
  }
}

async function handshake(socket, reader, authkey) {
  const challenge = await reader.frame();
  if (!challenge.subarray(0, CHALLENGE.length + SHA256.length).equals(Buffer.concat([CHALLENGE, SHA256]))) {
    throw new AuthenticationError('the channel sent no {sha256} challenge');
  }
  socket.write(frame(sha256Answer(authkey, challenge.subarray(CHALLENGE.length))));
  if (!(await reader.frame()).equals(WELCOME)) throw new AuthenticationError("the channel refused this process's authkey (POOLDECK_AUTHKEY)");
  const message = Buffer.concat([SHA256, crypto.randomBytes(40)]);
  socket.write(frame(Buffer.concat([CHALLENGE, message])));
  const answer = await reader.frame();
  const expected = sha256Answer(authkey, message);
  if (answer.length !== expected.length || !crypto.timingSafeEqual(answer, expected)) {
    socket.write(frame(FAILURE));
    throw new AuthenticationError('the channel answered our challenge with another key');
  }
  socket.write(frame(WELCOME));
}

/**
 * An authenticated channel: send(obj) writes a JSON line, recv() resolves to the next message (and
 * rejects once the channel closed). `server` is the channel's welcome ({"type":"welcome","version":1,"minor":1}).
 */
class Connection {
  constructor(socket, reader) {
    this.socket = socket;
    this.reader = reader;
    this.server = null;
  }

  send(message) {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  recv() {
    return this.reader.line();
  }

  close() {
    this.socket.end();
  }
}

/**
 * Connects to the app's channel and says hello; resolves to a Connection. `address` defaults to
 * POOLDECK_ADDRESS and `authkey` (a Buffer) to POOLDECK_AUTHKEY, set for every process the app
 * starts and inherited by its descendants. Rejects with an AuthenticationError for a wrong key.
 */
async function connect(address = process.env.POOLDECK_ADDRESS, authkey = undefined) {
  const keyHex = process.env.POOLDECK_AUTHKEY;
  const key = authkey !== undefined ? authkey : keyHex ? Buffer.from(keyHex, 'hex') : undefined;
  if (!address || key === undefined) {
    throw new Error(
      'connect(): no channel (POOLDECK_ADDRESS and POOLDECK_AUTHKEY are not both set). Run this program from Pooldeck, or pass the address and the authkey.',
    );
  }
  const socket = net.connect(address);
  const reader = new SocketReader(socket);
  try {
    await handshake(socket, reader, key);
    const connection = new Connection(socket, reader);
    connection.send({ type: 'hello', pid: process.pid, version: PROTOCOL_VERSION, minor: PROTOCOL_MINOR });
    connection.server = await reader.line();
    return connection;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Channel objects: the app's Queue, Pipe, Lock, RLock, Semaphore and Event, with the app's names in
// camelCase; what can block returns a promise. They live in the app, which brokers them over this
// process's one channel connection (opened on first use). A target gets them in its arguments (the app
// sends {"$pooldeck": {...}} tags, made these objects before the call); any process the app started
// can open one by name: `const jobs = await queue('jobs'); await jobs.put(['hello', 1]);`.
// A put on an unbounded queue, a pipe's send and the release of a lock this process holds are one
// line with no answer (pipelined). See "Channel objects" in docs/worker-protocol.md.

function channelError(name) {
  return class extends Error {
    constructor(message) {
      super(message);
      this.name = name;
    }
  };
}
const QueueFullError = channelError('QueueFullError');
const QueueEmptyError = channelError('QueueEmptyError');
const QueueClosedError = channelError('QueueClosedError');
const ConnectionClosedError = channelError('ConnectionClosedError');
const WIRE_ERRORS = { Full: QueueFullError, Empty: QueueEmptyError, Closed: QueueClosedError, EOF: ConnectionClosedError, TypeError, RangeError };

/** The process's connection to the broker: requests answered by id, notes answered by nothing. */
class BrokerClient {
  constructor(connection) {
    this.connection = connection;
    this.socket = connection.socket;
    this.pending = new Map();
    this.nextId = 0;
    this.ended = null;
    this.dropped = new Map();
    // Pipe ends whose messages the app pushes, by "end:name": { items, seen, eof, mode, asked, waiters }.
    this.pushed = new Map();
    this.pushWaits = 0;
    // The connection keeps the process alive only while an answer is awaited.
    this.socket.unref();
    void this.#pump();
  }

  async #pump() {
    try {
      for (;;) {
        const message = await this.connection.reader.line();
        if (message && message.type === 'reply') this.#settle(message);
        else if (message && message.type === 'dropped') this.#noteDropped(message);
        else if (message && message.type === 'pipe') this.#notePushed(message);
      }
    } catch {
      this.ended = new ConnectionClosedError("the app's channel closed");
      for (const { reject } of this.pending.values()) reject(this.ended);
      this.pending.clear();
      for (const state of this.pushed.values()) for (const { reject } of state.waiters.splice(0)) reject(this.ended);
    }
  }

  /** What the app pushed to pipe end `end` of `name` (a recv reads it without asking). */
  pushedEnd(name, end) {
    const key = `${end}:${name}`;
    let state = this.pushed.get(key);
    if (state === undefined) {
      state = { items: [], seen: 0, eof: false, mode: null, asked: false, waiters: [] };
      this.pushed.set(key, state);
    }
    return state;
  }

  #notePushed(message) {
    const state = this.pushedEnd(message.name, message.end);
    if ('value' in message) {
      state.items.push(message.value);
      state.seen += 1;
    } else if (message.eof) state.eof = true;
    else if ('push' in message) state.mode = Boolean(message.push);
    for (const { resolve } of state.waiters.splice(0)) resolve();
  }

  /** Resolves at the next line the app pushes for `state`'s end (the connection stays open meanwhile). */
  nextPush(state) {
    if (this.ended) return Promise.reject(this.ended);
    this.pushWaits += 1;
    this.socket.ref();
    const done = () => {
      this.pushWaits -= 1;
      if (this.pending.size === 0 && this.pushWaits === 0) this.socket.unref();
    };
    return new Promise((resolve, reject) => state.waiters.push({ resolve, reject })).finally(done);
  }

  #settle(reply) {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0 && this.pushWaits === 0) this.socket.unref();
    if (reply.ok) waiter.resolve(reply.value);
    else {
      const error = reply.error || {};
      const Type = WIRE_ERRORS[error.type] || Error;
      const failure = new Type(error.message || 'the app refused the operation');
      if (!WIRE_ERRORS[error.type] && error.type) failure.name = error.type;
      waiter.reject(failure);
    }
  }

  /** The app refused a line that gets no answer (a put to a closed queue): said on stderr, thrown at the next call on that object. */
  #noteDropped(message) {
    const error = message.error || {};
    const text = `the app refused a ${message.op} on ${message.kind} '${message.name}' sent earlier: ${error.message || '?'}`;
    process.stderr.write(`pooldeck: ${text}\n`);
    this.dropped.set(message.name, new (WIRE_ERRORS[error.type] || Error)(text));
  }

  /** Throws the refusal of an earlier line on object `name`, if the app sent one. */
  throwDropped(name) {
    const error = this.dropped.get(name);
    if (error === undefined) return;
    this.dropped.delete(name);
    throw error;
  }

  note(line) {
    this.socket.write(line);
  }

  request(message) {
    if (this.ended) return Promise.reject(this.ended);
    this.nextId += 1;
    const id = this.nextId;
    if (this.pending.size === 0) this.socket.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify({ ...message, type: message.type || 'op', id })}\n`);
    });
  }
}

let brokerClient = null;

/** The process's broker connection, opened on first use. */
function client() {
  brokerClient ??= connect().then((connection) => new BrokerClient(connection));
  return brokerClient;
}

/** How many waiting items a get on an unbounded queue may take at once into the process's own buffer. */
const PREFETCH = 64;

function timeoutOf(block, timeoutMs) {
  return block === false || timeoutMs === undefined ? null : timeoutMs;
}

class Brokered {
  constructor(kind, name, broker) {
    this.kind = kind;
    this.name = name;
    this.broker = broker;
  }

  request(op, fields = {}) {
    return this.broker.request({ type: 'op', kind: this.kind, name: this.name, op, ...fields });
  }

  /** The line of an op with no answer, up to its value. */
  prefix(op, fields = {}) {
    return `${JSON.stringify({ type: 'op', kind: this.kind, name: this.name, op, ...fields }).slice(0, -1)},"value":`;
  }
}

class Queue extends Brokered {
  constructor(name, maxsize, broker) {
    super('queue', name, broker);
    this.maxsize = maxsize;
    this.closed = false;
    this.putPrefix = this.prefix('put');
    // Items an unbounded queue handed over ahead (up to PREFETCH per get): got without a round trip.
    this.ahead = [];
  }

  put(value, { block = true, timeoutMs } = {}) {
    if (this.closed) return Promise.reject(new QueueClosedError(`queue ${this.name} is closed in this process`));
    if (this.maxsize === 0) {
      try {
        this.broker.throwDropped(this.name);
      } catch (error) {
        return Promise.reject(error);
      }
      this.broker.note(`${this.putPrefix}${JSON.stringify(value)}}\n`);
      return Promise.resolve();
    }
    return this.request('put', { value, block, timeoutMs: timeoutOf(block, timeoutMs) }).then(() => undefined);
  }

  get({ block = true, timeoutMs } = {}) {
    if (this.ahead.length > 0) return Promise.resolve(this.ahead.shift());
    if (this.maxsize !== 0) return this.request('get', { block, timeoutMs: timeoutOf(block, timeoutMs) });
    return this.request('get', { block, timeoutMs: timeoutOf(block, timeoutMs), prefetch: PREFETCH }).then(({ items }) => {
      this.ahead.push(...items.slice(1));
      return items[0];
    });
  }

  putNowait(value) {
    return this.put(value, { block: false });
  }

  getNowait() {
    return this.get({ block: false });
  }

  qsize() {
    return this.request('qsize').then((size) => size + this.ahead.length);
  }

  empty() {
    return this.ahead.length > 0 ? Promise.resolve(false) : this.request('empty');
  }

  full() {
    return this.request('full');
  }

  /** As multiprocessing's: this process puts no more (the queue stays open for the others). */
  close() {
    this.closed = true;
  }
}

/** One end of a Pipe the app holds. recv rejects with ConnectionClosedError once nothing more can come. */
class PipeConnection extends Brokered {
  constructor(name, end, readable, writable, broker) {
    super('pipe', name, broker);
    this.end = end;
    this.readable = readable;
    this.writable = writable;
    this.closed = false;
    this.sendPrefix = this.prefix('send', { end });
    // Pushed from the first recv on (not before: a process may hand an end it never reads to another).
    this.pushed = broker.pushedEnd(name, end);
    // This process holds the end now: when it ends, the end closes and the other side gets EOF.
    broker.note(`${JSON.stringify({ type: 'open', kind: 'pipe', name, end })}\n`);
  }

  send(value) {
    if (this.closed) throw new ConnectionClosedError('this end is closed');
    if (!this.writable) throw new TypeError('this end only receives');
    this.broker.throwDropped(this.name);
    this.broker.note(`${this.sendPrefix}${JSON.stringify(value)}}\n`);
  }

  async recv() {
    if (this.closed) throw new ConnectionClosedError('this end is closed');
    const state = this.pushed;
    if (!state.asked) {
      state.asked = true;
      this.broker.note(`${JSON.stringify({ type: 'open', kind: 'pipe', name: this.name, end: this.end, push: true })}\n`);
    }
    for (;;) {
      if (state.items.length > 0) return state.items.shift();
      if (state.eof) throw new ConnectionClosedError(`the other end of pipe ${this.name} was closed or its process ended`);
      // The app does not push (another process holds this end too): ask.
      if (state.mode === false) return this.request('recv', { end: this.end });
      await this.broker.nextPush(state);
    }
  }

  poll(timeoutMs = 0) {
    const state = this.pushed;
    if (state.items.length > 0 || state.eof) return Promise.resolve(true);
    // `seen`: the app answers true at once when it pushed more than this process has read.
    const seen = state.asked ? state.seen : null;
    return this.request('poll', { end: this.end, timeoutMs: timeoutMs === null ? null : Math.max(0, timeoutMs), seen });
  }

  close() {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.request('close', { end: this.end }).then(() => undefined);
  }
}

/** Lock, RLock and Semaphore: acquire({ block, timeoutMs }) resolves to a boolean; release(). */
class PermitLock extends Brokered {
  constructor(kind, name, broker) {
    super(kind, name, broker);
    this.held = 0;
    this.releaseLine = `${JSON.stringify({ type: 'op', kind, name, op: 'release' })}\n`;
  }

  async acquire({ block = true, timeoutMs } = {}) {
    const answer = await this.request('acquire', { block, timeoutMs: timeoutOf(block, timeoutMs) });
    if (answer.abandonedBy) {
      process.stderr.write(`pooldeck: ${this.kind} '${this.name}' was free because process ${answer.abandonedBy.name || '?'} (pid ${answer.abandonedBy.pid}) ended holding it\n`);
    }
    if (answer.acquired) this.held += 1;
    return answer.acquired;
  }

  /** Gives a permit back; a permit this process holds goes back with no answer to wait for. */
  release() {
    if (this.held > 0) {
      this.held -= 1;
      this.broker.note(this.releaseLine);
      return Promise.resolve();
    }
    return this.request('release').then(() => undefined);
  }
}

class Event extends Brokered {
  constructor(name, broker) {
    super('event', name, broker);
  }

  isSet() {
    return this.request('isSet');
  }

  set() {
    return this.request('set').then(() => undefined);
  }

  clear() {
    return this.request('clear').then(() => undefined);
  }

  wait(timeoutMs) {
    return this.request('wait', { timeoutMs: timeoutMs === undefined ? null : Math.max(0, timeoutMs) });
  }
}

// Value and SharedArray live in a shared file the app made (in /dev/shm on Linux): read and written here
// at their offsets (the page cache keeps this coherent with the app and with Python's mappings), so a
// write sends no message. Values hold their type: integers wrap as C's do, a fraction into one throws.

const LITTLE = require('node:os').endianness() === 'LE';
const LONG_BITS = process.platform === 'win32' ? 32 : 64;
const TYPECODES = {
  b: [8, true], B: [8, false], h: [16, true], H: [16, false], i: [32, true], I: [32, false],
  l: [LONG_BITS, true], L: [LONG_BITS, false], q: [64, true], Q: [64, false], f: [32, null], d: [64, null],
};

class SharedNumbers {
  constructor(tag, broker) {
    const [bits, signed] = TYPECODES[tag.typecode] || [];
    if (!bits) throw new TypeError(`unknown typecode ${JSON.stringify(tag.typecode)}`);
    this.name = tag.name;
    this.typecode = tag.typecode;
    this.length = tag.length;
    this.bits = bits;
    this.signed = signed;
    this.size = bits / 8;
    this.fd = fs.openSync(tag.path, 'r+');
    this.scratch = Buffer.alloc(8);
    this.lockName = tag.lock;
    this.broker = broker;
    this.lock = null;
  }

  /** The brokered Lock that goes with it. */
  getLock() {
    this.lock ??= new PermitLock('lock', this.lockName, this.broker);
    return this.lock;
  }

  read(index) {
    const scratch = this.scratch;
    scratch.fill(0);
    fs.readSync(this.fd, scratch, 0, this.size, index * this.size);
    if (this.signed === null) return this.bits === 32 ? (LITTLE ? scratch.readFloatLE(0) : scratch.readFloatBE(0)) : LITTLE ? scratch.readDoubleLE(0) : scratch.readDoubleBE(0);
    const raw = LITTLE ? scratch.readBigUInt64LE(0) : scratch.readBigUInt64BE(0) >> BigInt(64 - this.bits);
    const masked = BigInt.asUintN(this.bits, raw);
    return Number(this.signed ? BigInt.asIntN(this.bits, masked) : masked);
  }

  write(index, value) {
    if (typeof value !== 'number' || (this.signed !== null && !Number.isInteger(value))) {
      throw new TypeError(`${this.name} holds '${this.typecode}' values: ${this.signed === null ? 'a number' : 'an integer'} is needed, not ${value}`);
    }
    const scratch = this.scratch;
    scratch.fill(0);
    if (this.signed === null) {
      if (this.bits === 32) LITTLE ? scratch.writeFloatLE(value, 0) : scratch.writeFloatBE(value, 0);
      else LITTLE ? scratch.writeDoubleLE(value, 0) : scratch.writeDoubleBE(value, 0);
    } else {
      const wrapped = BigInt.asUintN(this.bits, BigInt(value));
      if (LITTLE) scratch.writeBigUInt64LE(wrapped, 0);
      else scratch.writeBigUInt64BE(wrapped << BigInt(64 - this.bits), 0);
    }
    fs.writeSync(this.fd, scratch, 0, this.size, index * this.size);
  }
}

class Value extends SharedNumbers {
  get value() {
    return this.read(0);
  }

  set value(value) {
    this.write(0, value);
  }
}

class SharedArray extends SharedNumbers {
  get(index) {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`${this.name}: index ${index} is outside 0…${this.length - 1}`);
    return this.read(index);
  }

  set(index, value) {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`${this.name}: index ${index} is outside 0…${this.length - 1}`);
    this.write(index, value);
  }

  toArray() {
    return Array.from({ length: this.length }, (_, index) => this.read(index));
  }
}

const FROM_TAG = {
  queue: (tag, broker) => new Queue(tag.name, tag.maxsize || 0, broker),
  pipe: (tag, broker) => new PipeConnection(tag.name, tag.end === 0 ? 0 : 1, tag.readable !== false, tag.writable !== false, broker),
  lock: (tag, broker) => new PermitLock('lock', tag.name, broker),
  rlock: (tag, broker) => new PermitLock('rlock', tag.name, broker),
  semaphore: (tag, broker) => new PermitLock('semaphore', tag.name, broker),
  event: (tag, broker) => new Event(tag.name, broker),
  value: (tag, broker) => new Value(tag, broker),
  array: (tag, broker) => new SharedArray(tag, broker),
};

function hasTags(value) {
  return JSON.stringify(value).includes('"$pooldeck"');
}

/** `value` with each {"$pooldeck": {...}} tag made the live object. */
function resolveTags(value, broker) {
  if (Array.isArray(value)) return value.map((item) => resolveTags(item, broker));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const tag = keys.length === 1 ? value.$pooldeck : undefined;
    if (tag && typeof tag === 'object' && FROM_TAG[tag.kind] && typeof tag.name === 'string') return FROM_TAG[tag.kind](tag, broker);
    return Object.fromEntries(keys.map((key) => [key, resolveTags(value[key], broker)]));
  }
  return value;
}

/** `args` with their tags resolved: connects to the app first when there are any. */
async function withObjects(args) {
  if (!hasTags(args)) return args;
  return resolveTags(args, await client());
}

async function openByName(kind, name, fields = {}) {
  const broker = await client();
  const info = await broker.request({ type: 'open', kind, name, ...fields });
  return { broker, info };
}

/** The app's queue named `name`. */
async function queue(name) {
  const { broker, info } = await openByName('queue', name);
  return new Queue(name, info.maxsize || 0, broker);
}

/** End `end` (0 or 1) of the app's pipe named `name`; this process holds it from now on. */
async function pipe(name, end = 1) {
  const { broker, info } = await openByName('pipe', name, { end });
  return new PipeConnection(name, end, info.readable !== false, info.writable !== false, broker);
}

const lock = async (name) => new PermitLock('lock', name, (await openByName('lock', name)).broker);
const rlock = async (name) => new PermitLock('rlock', name, (await openByName('rlock', name)).broker);
const semaphore = async (name) => new PermitLock('semaphore', name, (await openByName('semaphore', name)).broker);
const event = async (name) => new Event(name, (await openByName('event', name)).broker);

/** The app's Value named `name`. */
async function value(name) {
  const { broker, info } = await openByName('value', name);
  return new Value(info, broker);
}

/** The app's SharedArray named `name`. */
async function array(name) {
  const { broker, info } = await openByName('array', name);
  return new SharedArray(info, broker);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.length === 2 && argv[0] === 'run') void runTarget(argv[1]);
  else if (argv.length >= 2 && argv[0] === 'serve') void serveTarget(argv[1], argv.slice(2));
  else if (argv.length === 2 && argv[0] === 'list') void listTargets(argv[1]);
  else usage();
}

module.exports = {
  serve,
  connect,
  Connection,
  AuthenticationError,
  PROTOCOL_VERSION,
  PROTOCOL_MINOR,
  queue,
  pipe,
  lock,
  rlock,
  semaphore,
  event,
  value,
  array,
  QueueFullError,
  QueueEmptyError,
  QueueClosedError,
  ConnectionClosedError,
};
