import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { fakeTransport, renderApp } from './fake-transport.js';
import { processRow, snapshot } from './process-rows.js';

// The app's frame around the views, as a new user meets it.

describe('App for a new user', () => {
  it('counts live processes in the Processes tab, not the ended ones', async () => {
    const transport = fakeTransport();
    renderApp(transport);
    transport.emit({
      type: 'snapshot',
      snapshot: snapshot({
        processes: [
          processRow({ id: 'a' }),
          processRow({ id: 'b', isAlive: false, state: 'exited', exitcode: 0 }),
          processRow({ id: 'c', isAlive: false, state: 'failed', pid: null }),
        ],
      }),
    });
    await tick();
    expect(screen.getByRole('tab', { name: /Processes/ })).toHaveTextContent(/^Processes1$/);
    // Hidden by default once there are ended ones.
    expect(screen.getByRole('checkbox', { name: 'Hide exited (2)' })).toBeChecked();
  });
});
