"""Which process this is, stably across restarts, so a new start can take back its own previous leases."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path


def stable_instance_id(database_key: str, *, host: str | None = None, cwd: str | None = None) -> str:
    """The same id for every run of Haven on this host, in this folder, against this database."""
    host = host or socket.gethostname()
    where = cwd or str(Path.cwd())
    digest = hashlib.sha256(f"{host}\0{where}\0{database_key}".encode()).hexdigest()[:16]
    return f"{host[:40]}-{digest}"


def this_host() -> str:
    """This machine's name."""
    return socket.gethostname()[:255]


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (ours counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
