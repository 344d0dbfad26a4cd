import { describe, expect, it } from 'vitest';
import { importProcfile } from '../../main/app/workspace/import-procfile.js';
import { importSupervisord } from '../../main/app/workspace/import-supervisord.js';
import { parseIni } from '../../main/app/workspace/ini-file.js';
import { splitShellWords } from '../../main/app/workspace/shell-words.js';

describe('splitShellWords', () => {
  it('splits by the shell quoting rules', () => {
    expect(splitShellWords(`python3 -m "http.server" '8000' a\\ b "say \\"hi\\""`)).toEqual({
      words: ['python3', '-m', 'http.server', '8000', 'a b', 'say "hi"'],
      shellSyntax: null,
    });
    expect(splitShellWords('echo "a#b" c#d # comment').words).toEqual(['echo', 'a#b', 'c#d']);
  });

  it('names the shell syntax it meets: pipes, variables, globs, ~, VAR=value before the command', () => {
    expect(splitShellWords('a | b').shellSyntax).toBe('|');
    expect(splitShellWords('echo "$HOME"').shellSyntax).toBe('$');
    expect(splitShellWords("echo '$HOME'").shellSyntax).toBeNull();
    expect(splitShellWords('ls *.txt').shellSyntax).toBe('*');
    expect(splitShellWords('cd ~/x').shellSyntax).toBe('~');
    expect(splitShellWords('PORT=80 node app.js').shellSyntax).toBe('PORT=');
    expect(splitShellWords('node app.js --port=80').shellSyntax).toBeNull();
    expect(() => splitShellWords('echo "open')).toThrow(/unterminated " quote/);
  });
});

describe('importProcfile', () => {
  it('reads name: command lines, splitting plain commands and running shell syntax through sh -c', () => {
    const result = importProcfile('# comment\nweb: bundle exec rails s -p "$PORT"\nworker: python3 worker.py --queue "high prio"\n\nnot a line\n', '/app');
    expect(result.jobs).toEqual([
      { kind: 'process', name: 'web', autostart: true, spec: { name: 'web', command: 'sh', args: ['-c', 'bundle exec rails s -p "$PORT"'], cwd: '/app' } },
      { kind: 'process', name: 'worker', autostart: true, spec: { name: 'worker', command: 'python3', args: ['worker.py', '--queue', 'high prio'], cwd: '/app' } },
    ]);
    expect(result.notes).toEqual(['web: runs through sh -c because it uses shell syntax ($)', 'worker: split into program and arguments (shell quoting rules)']);
    expect(result.notCarriedOver).toEqual(['line 5: not a "name: command" line: not a line']);
  });
});

const SUPERVISORD = `; supervisord.conf
[supervisord]
logfile=/var/log/supervisord.log

[program:web]
command=/usr/bin/python3 -m http.server 8000 ; the port
directory=%(here)s/site
environment=A="1,2",B=plain, C='x y'
autostart=false
autorestart=true
startretries=7
startsecs=5
user=www-data
stdout_logfile=/var/log/web.log
priority=10
stopsignal=INT

[program:worker]
command=python3 worker.py
  --id %(process_num)d
process_name=%(program_name)s_%(process_num)02d
numprocs=3
numprocs_start=1
autorestart=unexpected

[program:once]
command=echo done
autorestart=false

[group:all]
programs=web,worker
`;

describe('importSupervisord', () => {
  it('carries command, directory, environment, autostart, autorestart, startretries and numprocs over, and lists the rest', () => {
    const result = importSupervisord(SUPERVISORD, '/etc/app', {});
    expect(result.jobs.map((job) => [job.name, job.autostart])).toEqual([
      ['web', false],
      ['worker_01', true],
      ['worker_02', true],
      ['worker_03', true],
      ['once', true],
    ]);
    expect(result.jobs[0]!.spec).toEqual({
      name: 'web',
      command: '/usr/bin/python3',
      args: ['-m', 'http.server', '8000'],
      cwd: '/etc/app/site',
      env: { A: '1,2', B: 'plain', C: 'x y' },
      restart: 'always',
      maxRestarts: 7,
      stableAfterMs: 5000,
    });
    expect(result.jobs[2]!.spec).toMatchObject({ command: 'python3', args: ['worker.py', '--id', '2'], restart: 'on-failure', maxRestarts: 3, stableAfterMs: 1000 });
    expect(result.jobs[4]!.spec).toMatchObject({ command: 'echo', args: ['done'], restart: 'no' });
    expect(result.jobs[4]!.spec).not.toHaveProperty('maxRestarts');
    expect(result.notCarriedOver).toEqual([
      '[supervisord] (line 2): only [program:x] sections are imported',
      'web: user=www-data',
      'web: stdout_logfile=/var/log/web.log',
      'web: priority=10',
      'web: stopsignal=INT',
      '[group:all] (line 30): only [program:x] sections are imported',
    ]);
    expect(result.notes).toEqual(['worker: numprocs=3 became 3 processes']);
  });

  it('says what it cannot read', () => {
    expect(() => importSupervisord('[program:a]\ncommand=x\nautostart=maybe\n', '/')).toThrow('a: autostart must be true or false, not maybe');
    expect(() => importSupervisord('[program:a]\ncommand=%(nope)s\n', '/')).toThrow('%(nope)s names nothing supervisord would expand');
    expect(() => parseIni('key=value\n')).toThrow('line 1: key comes before any [section]');
  });
});
