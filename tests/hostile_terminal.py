"""Running a command under a real pseudo-terminal, to see the bytes a clerk's terminal would receive."""

from __future__ import annotations

import os
import select
import subprocess
import sys


def run_in_pty(argv: list[str], timeout: float = 120.0, columns: int = 120) -> bytes:
    """Everything argv writes to its terminal (stdout and stderr share it), once it has exited."""
    if os.name != "posix":
        raise RuntimeError("a pseudo-terminal needs POSIX")
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True)
    os.close(terminal)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], timeout)
            if not ready:
                raise TimeoutError(f"{argv[:4]} wrote nothing for {timeout} seconds")
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closes once every writer has exited (EIO on Linux)
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
        process.wait(timeout=timeout)
    return b"".join(chunks)


if __name__ == "__main__":
    sys.stdout.buffer.write(run_in_pty(sys.argv[1:]))
