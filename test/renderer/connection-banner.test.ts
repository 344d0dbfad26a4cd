import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import ConnectionBanner from '../../renderer/components/ConnectionBanner.svelte';
import { fakeTransport, renderApp } from './fake-transport.js';
import { processRow, snapshot } from './process-rows.js';

describe('ConnectionBanner', () => {
  it('says nothing while the link is open or still being made', () => {
    render(ConnectionBanner, { props: { connection: 'open', loaded: true } });
    render(ConnectionBanner, { props: { connection: 'connecting', loaded: false } });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says the rows are not live while reconnecting', () => {
    render(ConnectionBanner, { props: { connection: 'reconnecting', loaded: true } });
    expect(screen.getByRole('alert')).toHaveTextContent(/reconnecting… The table shows the last known state, not live/);
  });

  it('tells an old tab that the server restarted and where to go, apart from a tab that never had a token', () => {
    const { unmount } = render(ConnectionBanner, { props: { connection: 'unauthorized', loaded: true } });
    expect(screen.getByRole('alert')).toHaveTextContent(/server restarted .* no longer accepts this page, so the old server’s rows are cleared\. Open the new address/);
    unmount();
    render(ConnectionBanner, { props: { connection: 'unauthorized', loaded: false } });
    expect(screen.getByRole('alert')).toHaveTextContent('Not authorized. Open the address Pooldeck printed');
  });

  it('dims the table of a restarted server and shows the refreshed one once reconnected', async () => {
    const transport = fakeTransport();
    renderApp(transport);
    transport.setState('open');
    transport.emit({ type: 'snapshot', snapshot: snapshot({ processes: [processRow({ id: 'a', name: 'before-restart' })] }) });
    await tick();
    transport.setState('reconnecting');
    await tick();
    expect(screen.getByRole('tabpanel')).toHaveClass('stale');
    expect(screen.getByRole('alert')).toHaveTextContent('not live');

    // Reconnected: the server sends its snapshot first, which replaces the old rows whatever its seq.
    transport.setState('open');
    transport.emit({ type: 'snapshot', snapshot: snapshot({ seq: 1, processes: [processRow({ id: 'b', name: 'after-restart' })] }) });
    await tick();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('tabpanel')).not.toHaveClass('stale');
    expect(screen.getByText('after-restart')).toBeInTheDocument();
    expect(screen.queryByText('before-restart')).toBeNull();
  });

  it('drops the rows of a server that no longer accepts the page, counts included', async () => {
    const transport = fakeTransport();
    renderApp(transport);
    transport.setState('open');
    transport.emit({ type: 'snapshot', snapshot: snapshot({ processes: [processRow({ id: 'a', name: 'old-server-row' })] }) });
    await tick();
    expect(screen.getByRole('contentinfo')).toHaveTextContent('1 running / 1 process');
    transport.setState('unauthorized');
    await tick();
    expect(screen.queryByText('old-server-row')).toBeNull();
    expect(screen.getByText('Waiting for a valid token…')).toBeInTheDocument();
    expect(screen.getByRole('contentinfo')).toHaveTextContent('0 running / 0 processes');
    expect(screen.getByRole('alert')).toHaveTextContent('The Pooldeck server restarted');
  });
});
