import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import ChannelsView from '../../renderer/components/ChannelsView.svelte';
import ProcessDetails from '../../renderer/components/ProcessDetails.svelte';
import type { ChannelList, ChannelRow } from '../../main/protocol/index.js';
import { recordingApi } from './recording-api.js';
import { processRow } from './process-rows.js';

const NOW = 1_700_000_060_000;

const ROWS: ChannelRow[] = [
  {
    kind: 'queue',
    name: 'jobs',
    history: [0, 1, 2],
    users: [{ pid: 4121, name: 'consumer' }],
    size: 2,
    maxsize: 10,
    closed: false,
    putRate: 12.4,
    getRate: 0.5,
    putRateHistory: [3, 12.4],
    getRateHistory: [0, 0.5],
    blockedPutting: [],
    blockedGetting: [{ pid: 4121, name: 'consumer' }],
    oldest: ['["hello",1]', '["hello",2]'],
  },
  {
    kind: 'pipe',
    name: 'talk',
    history: [],
    users: [{ pid: 5000, name: 'echo' }],
    duplex: true,
    ends: [
      { index: 0, readable: true, writable: true, closed: false, heldByApp: true, holders: [], received: 3, waiting: 0 },
      { index: 1, readable: true, writable: true, closed: false, heldByApp: false, holders: [{ pid: 5000, name: 'echo' }], received: 4, waiting: 1 },
    ],
  },
  { kind: 'value', name: 'counter', history: [1, 5, 9], users: [], typecode: 'i', length: 1, values: [9] },
  {
    kind: 'lock',
    name: 'guard',
    history: [1, 0],
    users: [],
    holders: [],
    waiting: [{ pid: 6001, name: null }],
    free: null,
    abandoned: { holder: { pid: 6000, name: 'holder' }, at: NOW - 1000 },
  },
  { kind: 'semaphore', name: 'slots', history: [1], users: [], holders: [{ pid: 7000, name: 'worker', count: 2, since: NOW - 65_000 }], waiting: [], free: 1, abandoned: null },
  { kind: 'event', name: 'ready', history: [], users: [], isSet: false, waiting: [{ pid: 8000, name: 'waiter' }] },
];

function channelsApi(overrides: Parameters<typeof recordingApi>[0] = {}) {
  const list: ChannelList = { time: NOW, sampleIntervalMs: 60_000, channels: ROWS, omitted: 0 };
  return recordingApi({ listChannels: () => ({ ok: true, value: list }), ...overrides });
}

describe('the Channels view', () => {
  it('shows a table per kind with the live figures', async () => {
    render(ChannelsView, { api: channelsApi(), onerror: () => {} });
    const queues = await screen.findByRole('table', { name: 'Queues' });
    const jobs = within(queues).getByRole('row', { name: /jobs/ });
    expect(jobs).toHaveTextContent('2 / 10');
    expect(jobs).toHaveTextContent('12/s');
    expect(jobs).toHaveTextContent('0.5/s');
    expect(jobs).toHaveTextContent('consumer (pid 4121)');
    expect(jobs).toHaveTextContent('["hello",1]');
    expect(jobs).toHaveTextContent('used by consumer (pid 4121)');
    expect(jobs.querySelectorAll('svg polyline').length).toBe(3);

    const pipe = within(screen.getByRole('table', { name: 'Pipes' })).getByRole('row', { name: /talk/ });
    expect(pipe).toHaveTextContent('the app');
    expect(pipe).toHaveTextContent('echo (pid 5000)');
    expect(pipe).toHaveTextContent('(+1 waiting)');

    expect(within(screen.getByRole('table', { name: 'Values and arrays' })).getByRole('row', { name: /counter/ })).toHaveTextContent('9');

    const locks = screen.getByRole('table', { name: 'Locks and semaphores' });
    expect(within(locks).getByRole('row', { name: /guard/ })).toHaveTextContent('holder (pid 6000) died holding it; the app released it');
    expect(within(locks).getByRole('row', { name: /guard/ })).toHaveTextContent('pid 6001');
    const slots = within(locks).getByRole('row', { name: /slots/ });
    expect(slots).toHaveTextContent('worker (pid 7000) ×2');
    expect(slots).toHaveTextContent('1m 05s');

    expect(within(screen.getByRole('table', { name: 'Events' })).getByRole('row', { name: /ready/ })).toHaveTextContent('waiter (pid 8000)');
  });

  it('puts a JSON item into a queue, and says what is wrong with text that is not JSON', async () => {
    const api = channelsApi({ putQueueItem: () => ({ ok: true, value: { size: 3 } }) });
    render(ChannelsView, { api, onerror: () => {} });
    const box = await screen.findByRole('textbox', { name: 'Item to put into jobs' });
    await fireEvent.input(box, { target: { value: 'hello' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Put' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/item is not valid JSON/);
    expect(api.calls.some((call) => call.name === 'putQueueItem')).toBe(false);

    await fireEvent.input(box, { target: { value: '["hello", 4]' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Put' }));
    await waitFor(() => expect(api.calls.find((call) => call.name === 'putQueueItem')?.args).toEqual({ name: 'jobs', value: ['hello', 4] }));
  });

  it("shows the app's refusal under the box, and a pipe's answer in its console", async () => {
    const api = channelsApi({
      setSharedValue: () => ({ ok: false, error: { code: 'invalid', field: 'value', message: "value: counter holds 'i' values: an integer is needed, not 1.5" } }),
      sendOnPipe: () => ({ ok: true, value: { replied: true, reply: [42, null, 'hello', 'ping'] } }),
    });
    render(ChannelsView, { api, onerror: () => {} });
    await fireEvent.input(await screen.findByRole('textbox', { name: 'New value of counter' }), { target: { value: '1.5' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Write' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("value: counter holds 'i' values");

    await fireEvent.input(screen.getByRole('textbox', { name: 'Message to send on end 0 of talk' }), { target: { value: '"ping"' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send on end 0' }));
    const console = await screen.findByRole('list', { name: 'Console of talk' });
    await waitFor(() => expect(console).toHaveTextContent('← [42,null,"hello","ping"]'));
    expect(api.calls.find((call) => call.name === 'sendOnPipe')?.args).toEqual({ name: 'talk', end: 0, value: 'ping' });
  });

  it('sets an event', async () => {
    const api = channelsApi({ setEvent: () => ({ ok: true, value: { isSet: true } }) });
    render(ChannelsView, { api, onerror: () => {} });
    const events = await screen.findByRole('table', { name: 'Events' });
    await fireEvent.click(within(events).getByRole('button', { name: 'Set' }));
    await waitFor(() => expect(api.calls.find((call) => call.name === 'setEvent')?.args).toEqual({ name: 'ready', set: true }));
  });
});

describe("a process's details", () => {
  it('link to the channels it uses, which the Channels view brings into view', async () => {
    const api = channelsApi({ getProcessDetails: () => ({ ok: true, value: { argv: ['python3'], cwd: '/', env: {} } }) });
    const opened: string[] = [];
    const row = processRow({ id: 'p1', name: 'consumer', pid: 4121, isAlive: true, state: 'running', startedAt: NOW });
    render(ProcessDetails, { props: { api, row, now: NOW, onclose: () => {}, onopenchannel: (name: string) => opened.push(name) } });
    const used = await screen.findByRole('list', { name: 'Channels used' });
    // It opened jobs and waits on it; the others are other processes'.
    expect(within(used).getAllByRole('button').map((button) => button.textContent)).toEqual(['jobs']);
    await fireEvent.click(within(used).getByRole('button', { name: 'jobs' }));
    expect(opened).toEqual(['jobs']);

    render(ChannelsView, { api, onerror: () => {}, focus: 'slots' });
    await waitFor(() => expect(document.querySelector('tr.focused')?.getAttribute('data-channel')).toBe('slots'));
  });
});
