"""Pooldeck's sitecustomize: the app puts this folder first on PYTHONPATH for a Python job.

It installs the multiprocessing inspector (pooldeck_inspector.py: an import hook, nothing more until
the program imports multiprocessing), then runs the program's own sitecustomize, if the rest of
sys.path holds one, as Python would have without us.
"""

import os
import sys


def _pooldeck_install_inspector():
    try:
        import pooldeck_inspector

        pooldeck_inspector.install()
    except Exception as exc:
        sys.stderr.write("pooldeck inspector disabled: %s: %s\n" % (type(exc).__name__, exc))


def _pooldeck_run_next_sitecustomize():
    """Finds the sitecustomize that ours hides (the next on sys.path) and runs it as `sitecustomize`.

    Its errors are not caught here: site reports them as it would have without us.
    """
    from importlib.machinery import PathFinder

    here = os.path.dirname(os.path.abspath(__file__))

    def is_ours(entry):
        return os.path.abspath(entry or os.curdir) == here

    entries = list(sys.path)
    first_ours = next((i for i, entry in enumerate(entries) if is_ours(entry)), -1)
    rest = [entry for entry in entries[first_ours + 1:] if not is_ours(entry)]
    spec = PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    import importlib.util

    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_pooldeck_install_inspector()
_pooldeck_run_next_sitecustomize()
