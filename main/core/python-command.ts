// The Python interpreter a job runs when nobody names one. python.org's Windows installer, the
// Microsoft Store's Python and setup-python put `python` (and the `py` launcher) on PATH, never
// `python3`; Linux distributions and macOS name Python 3 `python3`, and their `python` may be missing
// or Python 2. `py -3` would need an argument before the script and is not matched as Python by the
// inspector, so Windows gets `python`.

/** `python` on Windows, `python3` elsewhere. */
export function defaultPythonCommand(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'python' : 'python3';
}
