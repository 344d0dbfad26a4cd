// The reference systems, installed on demand into bench/.cache (never project dependencies):
// PM2 with npm --prefix, supervisord from Debian's package unpacked with dpkg -x (so no system service
// is installed or started).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pm2Install {
  modulePath: string;
  version: string;
}

export async function ensurePm2(cacheDir: string, log: (message: string) => void): Promise<Pm2Install> {
  const prefix = resolve(cacheDir, 'pm2');
  const modulePath = resolve(prefix, 'node_modules/pm2');
  if (!existsSync(resolve(modulePath, 'package.json'))) {
    log('installing PM2 into bench/.cache/pm2 (npm install --prefix)…');
    mkdirSync(prefix, { recursive: true });
    await run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', 'pm2'], { timeout: 300_000 });
  }
  const version = (JSON.parse(readFileSync(resolve(modulePath, 'package.json'), 'utf8')) as { version: string }).version;
  return { modulePath, version };
}

export interface SupervisorInstall {
  /** Put on PYTHONPATH. */
  pythonPath: string;
  version: string;
  python: string;
}

export async function ensureSupervisord(cacheDir: string, log: (message: string) => void): Promise<SupervisorInstall> {
  const dir = resolve(cacheDir, 'supervisor');
  const root = resolve(dir, 'root');
  const pythonPath = resolve(root, 'usr/lib/python3/dist-packages');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(resolve(pythonPath, 'supervisor/supervisord.py'))) {
    let debs = readdirSync(dir).filter((name) => name.startsWith('supervisor_') && name.endsWith('.deb'));
    if (debs.length === 0) {
      log('downloading Debian\'s supervisor package into bench/.cache/supervisor (apt-get download)…');
      await run('apt-get', ['download', 'supervisor'], { cwd: dir, timeout: 300_000 });
      debs = readdirSync(dir).filter((name) => name.startsWith('supervisor_') && name.endsWith('.deb'));
    }
    if (debs.length === 0) throw new Error('apt-get download supervisor produced no .deb');
    await run('dpkg', ['-x', resolve(dir, debs[0]), root], { timeout: 60_000 });
  }
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const { stdout } = await run(python, ['-c', 'import supervisor.options as o; print(o.VERSION)'], {
    env: { ...process.env, PYTHONPATH: pythonPath },
  }).catch(() => ({ stdout: 'unknown' }));
  return { pythonPath, version: stdout.trim(), python };
}
