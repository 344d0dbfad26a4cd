import { describe, expect, it } from 'vitest';
import { demoWorkspace } from '../../main/app/demo.js';
import { targetLaunch } from '../../main/core/process-target.js';
import { defaultPythonCommand } from '../../main/core/python-command.js';

// The Python a job runs when none is named, per platform: Windows installs name it `python`, and the
// demo, whose jobs are all Python, then starts on Windows too (no sh among them).

describe('the default Python interpreter', () => {
  it('is python on Windows and python3 elsewhere', () => {
    expect(defaultPythonCommand('win32')).toBe('python');
    expect(defaultPythonCommand('linux')).toBe('python3');
    expect(defaultPythonCommand('darwin')).toBe('python3');
  });

  it("runs a Python target unless the caller names another, and a Node target's default stays node", () => {
    expect(targetLaunch('tasks.py:square', { workersDir: '/helpers' }).command).toBe(defaultPythonCommand(process.platform));
    expect(targetLaunch('tasks.py:square', { workersDir: '/helpers', python: 'pypy3' }).command).toBe('pypy3');
    expect(targetLaunch('tasks.mjs:square', { workersDir: '/helpers' }).command).toBe('node');
  });

  it("starts every demo job with the platform's Python, or as a target", () => {
    for (const platform of ['win32', 'linux'] as const) {
      const demo = demoWorkspace('/helpers', platform);
      const commands = [...demo.pools, ...demo.processes, ...demo.processesOneByOne].map((spec) => spec.command ?? `target ${spec.target}`);
      expect(commands.filter((command) => !command.startsWith('target '))).not.toHaveLength(0);
      expect(new Set(commands.filter((command) => !command.startsWith('target ')))).toEqual(new Set([defaultPythonCommand(platform)]));
    }
  });
});
