import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import type { WorkspaceInfo } from '../../main/protocol/index.js';
import { Settings } from '../../renderer/lib/settings.svelte.js';
import { fakeTransport, memoryStorage, renderApp } from './fake-transport.js';
import { snapshot } from './process-rows.js';

const WORKSPACE: WorkspaceInfo = {
  path: '/home/u/jobs.yaml',
  jobs: [
    { name: 'web', kind: 'process', autostart: true, summary: 'python3 -m http.server', rowId: 'p1' },
    { name: 'nightly', kind: 'pool', autostart: false, summary: 'tasks.py:report · pool of 2', rowId: null },
  ],
  display: { hideExited: false, theme: 'dark' },
  unsaved: false,
  error: null,
};

function workspaceTransport(overrides: Parameters<typeof fakeTransport>[0] = {}) {
  return fakeTransport({
    getWorkspace: () => ({ ok: true, value: WORKSPACE }),
    listRecentWorkspaces: () => ({ ok: true, value: { paths: ['/home/u/jobs.yaml', '/home/u/old.yaml'] } }),
    ...overrides,
  });
}

describe('the Workspace menu and the Not started list', () => {
  it('shows the workspace reopened on launch, applies its display settings, and starts a job not started', async () => {
    const transport = workspaceTransport({ startWorkspaceJob: () => ({ ok: true, value: { id: 'pool1' } }) });
    const settings = new Settings(memoryStorage());
    renderApp(transport, settings);
    transport.emit({ type: 'snapshot', snapshot: snapshot({ seq: 1 }) });
    await screen.findByRole('button', { name: /^Workspace jobs\.yaml/ });
    await waitFor(() => expect([settings.hideExited, settings.theme]).toEqual([false, 'dark']));

    const notStarted = await screen.findByRole('region', { name: /Not started/ });
    expect(notStarted).toHaveTextContent('nightly');
    expect(notStarted).not.toHaveTextContent('web');
    await fireEvent.click(screen.getByRole('button', { name: 'Start nightly' }));
    await waitFor(() => expect(transport.calls).toContainEqual({ name: 'startWorkspaceJob', args: { name: 'nightly' } }));

    // Remove asks first: the job's entry leaves the file.
    await fireEvent.click(screen.getByRole('button', { name: 'Remove nightly from the workspace' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove nightly from the workspace?' });
    expect(transport.calls.some((call) => call.name === 'removeWorkspaceJob')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(transport.calls).toContainEqual({ name: 'removeWorkspaceJob', args: { name: 'nightly' } }));
  });

  it('opens a workspace by path and shows why one could not be opened', async () => {
    const transport = workspaceTransport({
      openWorkspace: () => ({ ok: false, error: { code: 'invalid', field: 'path', message: '/x.yaml:3: processes[0] (a).command: command must be text' } }),
    });
    renderApp(transport);
    transport.emit({ type: 'snapshot', snapshot: snapshot({ seq: 1 }) });
    await fireEvent.click(await screen.findByRole('button', { name: /^Workspace/ }));
    const panel = screen.getByRole('dialog', { name: 'Workspace' });
    expect(panel).toHaveTextContent('/home/u/old.yaml');
    await fireEvent.click(screen.getByRole('button', { name: 'Open…' }));
    await fireEvent.input(screen.getByLabelText('Workspace file to open'), { target: { value: '/x.yaml' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(transport.calls).toContainEqual({ name: 'openWorkspace', args: { path: '/x.yaml' } }));
    expect(await screen.findByRole('alert')).toHaveTextContent('/x.yaml:3: processes[0] (a).command: command must be text');
    expect(screen.getByLabelText('Workspace file to open')).toHaveAttribute('aria-invalid', 'true');
  });

  it('reads the workspace again when the desktop menu changed it (File › Open)', async () => {
    const transport = workspaceTransport();
    renderApp(transport);
    transport.emit({ type: 'snapshot', snapshot: snapshot({ seq: 1 }) });
    await screen.findByRole('button', { name: /^Workspace jobs\.yaml/ });
    const before = transport.calls.filter((call) => call.name === 'getWorkspace').length;
    transport.menu('workspaceChanged');
    await waitFor(() => expect(transport.calls.filter((call) => call.name === 'getWorkspace').length).toBeGreaterThan(before));
    expect(screen.queryByRole('dialog', { name: 'New pool' })).toBeNull();
  });
});
