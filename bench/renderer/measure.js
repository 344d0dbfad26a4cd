// Frame measurements in the page.
//
// An update: the delta is made before the frame (as if it had just arrived), then applied at the
// start of a frame, in a requestAnimationFrame callback (store.applyDelta + Svelte's flushSync for
// ours, hand-written DOM writes for the floor). The browser then computes style, lays out and paints
// in the same task. A message posted from the callback runs right after that task: its time minus the
// frame's start (the rAF timestamp) is "from the start of the frame until the update is painted"
// (main-thread script + style + layout + paint; rasterization and compositing happen on other threads).

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

async function settle(frames) {
  for (let i = 0; i < frames; i += 1) await nextFrame();
}

function afterThisFrame() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port2.onmessage = () => {
      channel.port1.close();
      resolve(performance.now());
    };
    channel.port1.postMessage(0);
  });
}

export async function measureUpdates(nextDelta, apply, frames, maxMs = Infinity) {
  const began = performance.now();
  // A slow table (the floor: seconds per update at 10,000 rows) stops after the time budget, with at
  // least two measured updates.
  const outOfTime = (done, budget) => done >= 2 && performance.now() - began > budget;
  const frame = [];
  const work = [];
  const script = [];
  const layout = [];
  await settle(3);
  // Warm-up, not counted: the first updates after a load compile code and create the CPU rings.
  for (let i = 0; i < 3 && !(i >= 1 && performance.now() - began > maxMs / 4); i += 1) {
    apply(nextDelta());
    await settle(1);
  }
  for (let i = 0; i < frames && !outOfTime(i, maxMs); i += 1) {
    const delta = nextDelta();
    await settle(2);
    const sample = await new Promise((resolve) => {
      requestAnimationFrame((frameStart) => {
        const started = performance.now();
        const scriptMs = apply(delta);
        afterThisFrame().then((ended) => resolve({ frame: ended - frameStart, work: ended - started, script: scriptMs }));
      });
    });
    frame.push(sample.frame);
    work.push(sample.work);
    script.push(sample.script);
  }
  // The same updates once more with a forced layout right after the script: script + style + layout only.
  const layoutBegan = performance.now();
  for (let i = 0; i < Math.min(frames, 10) && !(i >= 1 && performance.now() - layoutBegan > maxMs / 4); i += 1) {
    const delta = nextDelta();
    await settle(2);
    const started = performance.now();
    apply(delta);
    void document.body.offsetHeight;
    layout.push(performance.now() - started);
  }
  return { frame, work, script, layout };
}

/**
 * Scrolls `viewport` by `step` px per frame (bouncing at the ends) for `frames` frames and returns the
 * intervals between frames. With `deltas`, a delta is applied every `deltas.every` ms; the next one is
 * made between frames (a task, as a message from the app would be).
 */
export async function measureScroll(viewport, frames, step, deltas, maxMs = Infinity) {
  // Let the switch between tables (one hidden, the other shown) finish before the first frame counts.
  await settle(5);
  return new Promise((resolve) => {
    const stamps = [];
    let direction = 1;
    let lastDelta = -Infinity;
    let pending = deltas ? deltas.next() : null;
    let applied = 0;
    const max = Math.max(0, viewport.scrollHeight - viewport.clientHeight);
    let position = viewport.scrollTop;
    const tick = (time) => {
      stamps.push(time);
      if (deltas && pending && time - lastDelta >= deltas.every) {
        lastDelta = time;
        deltas.apply(pending);
        applied += 1;
        pending = null;
        setTimeout(() => (pending = deltas.next()), 0);
      }
      // The position is kept here: reading scrollTop back would force a layout inside the callback.
      let next = position + direction * step;
      if (next > max || next < 0) {
        direction = -direction;
        next = position + direction * step;
      }
      position = next;
      viewport.scrollTop = next;
      if (stamps.length < frames && !(stamps.length > 2 && time - stamps[0] > maxMs)) requestAnimationFrame(tick);
      else {
        const intervals = [];
        for (let i = 1; i < stamps.length; i += 1) intervals.push(stamps[i] - stamps[i - 1]);
        const elapsed = stamps[stamps.length - 1] - stamps[0];
        resolve({ intervals, fps: ((stamps.length - 1) * 1000) / elapsed, deltasApplied: applied, maxScroll: max });
      }
    };
    requestAnimationFrame(tick);
  });
}
