// The Python interpreter a job runs when nobody names one. python.org's Windows installer and
// setup-python put `python.exe` (and the `py` launcher) on PATH, no `python3.exe`; a `python3` that
// Windows does find may be the Microsoft Store's stub, which only offers to install Python. Linux
// distributions and macOS name Python 3 `python3`, and their `python` may be missing or Python 2.
// `py -3` would put an argument before the script, and the inspector does not take `py` for Python.

/** `python` on Windows, `python3` elsewhere. */
export function defaultPythonCommand(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'python' : 'python3';
}
