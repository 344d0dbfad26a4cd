import '@testing-library/svelte/vitest';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import StatusBar from '../../renderer/components/StatusBar.svelte';
import { appStats } from './process-rows.js';

const base = { connection: 'open' as const, running: 3, total: 7, pools: 1, app: appStats({ cpu: 1.5, memory: 84 * 1024 * 1024, cores: 4 }), cpuDividedByCores: false };

describe('StatusBar', () => {
  it('shows the app’s own cost, labelled as the monitor’s, with its CPU convention', () => {
    render(StatusBar, { props: base });
    const bar = screen.getByRole('contentinfo', { name: 'Status' });
    expect(bar).toHaveTextContent('Monitor cost:');
    expect(screen.getByTestId('app-cpu')).toHaveTextContent('1.5%');
    expect(screen.getByTestId('app-memory')).toHaveTextContent('84.0 MiB');
    expect(bar).toHaveTextContent('100% = one core');
  });

  it('divides CPU by the number of cores when the setting says so', () => {
    render(StatusBar, { props: { ...base, cpuDividedByCores: true } });
    expect(screen.getByTestId('app-cpu')).toHaveTextContent('0.4%');
    expect(screen.getByRole('contentinfo')).toHaveTextContent('100% = all 4 cores');
  });

  it('switches the convention from the status bar', async () => {
    const ontoggleconvention = vi.fn();
    render(StatusBar, { props: { ...base, ontoggleconvention } });
    await fireEvent.click(screen.getByRole('button', { name: /CPU convention: 100% = one core/ }));
    expect(ontoggleconvention).toHaveBeenCalledOnce();
  });

  it('counts running processes, all processes and pools', () => {
    render(StatusBar, { props: { ...base, running: 1, total: 1, pools: 2 } });
    const bar = screen.getByRole('contentinfo');
    expect(bar).toHaveTextContent('1 running / 1 process');
    expect(bar).toHaveTextContent('2 pools');
  });

  it('says when the link is down and being retried', () => {
    render(StatusBar, { props: { ...base, connection: 'reconnecting' } });
    expect(screen.getByRole('status')).toHaveTextContent('Disconnected — reconnecting…');
  });

  it('says plainly when nothing was sampled yet', () => {
    render(StatusBar, { props: { ...base, app: null } });
    expect(screen.getByRole('contentinfo')).toHaveTextContent('not sampled yet');
    expect(screen.getByRole('status')).toHaveTextContent('Connected');
  });
});
