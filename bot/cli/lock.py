"""The running-instance lock: ``run`` holds ``var/haven.lock`` so that ``restore`` can tell Haven is running.

The lock is an advisory ``flock`` on the file, which the operating system releases when the process ends, even if
it crashed: a stale file never blocks anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; the lock is then a no-op
    fcntl = None

LOCK_FILE = "haven.lock"


def var_dir() -> Path:
    """The folder for runtime files: ``var/`` in the folder Haven was started in."""
    return Path.cwd() / "var"


def lock_path() -> Path:
    """Where the running-instance lock lives."""
    return var_dir() / LOCK_FILE


class InstanceLock:
    """An exclusive, non-blocking lock on a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock; ``False`` when another process holds it."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        """Let go of the lock (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def held_elsewhere(path: Path) -> bool:
    """Whether another process holds the lock at ``path`` right now."""
    if not path.exists():
        return False
    probe = InstanceLock(path)
    if probe.acquire():
        probe.release()
        return False
    return True
