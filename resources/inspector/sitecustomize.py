"""Pooldeck's sitecustomize: the app puts this folder first on PYTHONPATH for a Python job.

It installs the multiprocessing inspector (pooldeck_inspector.py: an import hook, nothing more until
the program imports multiprocessing), then runs the program's own sitecustomize, if the rest of
sys.path holds one, as Python would have without us.
"""

import os
import sys


def _pooldeck_load(name, path):
    """The module at `path`, run as `name` from code compiled once per Python version and source file
    and kept in the app's POOLDECK_INSPECTOR_CACHE folder: the app's resources may be read-only, or
    the user may not write bytecode (PYTHONDONTWRITEBYTECODE), and compiling the inspector took ~14 ms
    at every Python job's start. Without the folder, or when it cannot be written, it compiles."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    import marshal

    code, cached = None, None
    cache_dir = os.environ.get("POOLDECK_INSPECTOR_CACHE")
    if cache_dir:
        try:
            source = os.stat(path)
            cached = os.path.join(cache_dir, "%s.%s.%d.%d.code" % (name, sys.implementation.cache_tag, source.st_mtime_ns, source.st_size))
            with open(cached, "rb") as file:
                code = marshal.loads(file.read())
        except (OSError, ValueError, EOFError, TypeError):
            code = None
    if code is None:
        with open(path, "rb") as file:
            code = compile(file.read(), path, "exec", dont_inherit=True)
        if cached is not None:
            try:
                os.makedirs(cache_dir, exist_ok=True)
                partial = "%s.%d.partial" % (cached, os.getpid())
                with open(partial, "wb") as file:
                    file.write(marshal.dumps(code))
                os.replace(partial, cached)  # whole or not at all, whichever job writes it first
                # The code of this module's older sources, for this Python, is of no more use.
                stale = "%s.%s." % (name, sys.implementation.cache_tag)
                for entry in os.listdir(cache_dir):
                    if entry.startswith(stale) and entry.endswith(".code") and entry != os.path.basename(cached):
                        os.remove(os.path.join(cache_dir, entry))
            except OSError:
                pass
    module = type(sys)(name)
    module.__file__ = path
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _pooldeck_install_inspector():
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        inspector = _pooldeck_load("pooldeck_inspector", os.path.join(here, "pooldeck_inspector.py"))
        inspector.install(_pooldeck_load)
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
