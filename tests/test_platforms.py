"""Windows, where most council desktops are: no module may need a Unix-only import to load."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import PROJECT

UNIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource")


def test_every_module_imports_without_the_unix_only_modules() -> None:
    # A module set to None in sys.modules raises ImportError when imported, as these do on Windows.
    script = textwrap.dedent(f"""
        import importlib, pkgutil, sys
        for name in {UNIX_ONLY!r}:
            sys.modules[name] = None
        import tracker
        # tracker.__main__ runs the command line when imported; it imports only tracker.cli.
        names = sorted(m.name for m in pkgutil.walk_packages(tracker.__path__, "tracker.")
                       if not m.name.endswith("__main__"))
        for name in names:
            importlib.import_module(name)
        print(len(names))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 40


def test_the_write_lock_comes_from_filelock_not_fcntl() -> None:
    source = (PROJECT / "tracker").rglob("*.py")
    assert not [path.name for path in source if "import fcntl" in path.read_text(encoding="utf-8")]
