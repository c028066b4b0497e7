"""``python -m bot demo``: the real Haven bot in an in-process simulated Discord, telling a short story.

No token, no ``.env``, no network: the simulated Discord comes from simcord (the optional ``demo`` extra), imported
only here and only when the demo runs, so the bot itself never needs it. The database is a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from typing import TextIO

DEFAULT_OUT = Path("var") / "demo"
INSTALL_HINT = (
    "The demo needs the simulated Discord (simcord), which isn't installed.\n"
    "Install it with:  pip install -e '.[demo]'   (or run:  make demo)"
)


def simcord_available() -> bool:
    """Whether the optional ``demo`` extra is installed."""
    try:
        return importlib.util.find_spec("simcord") is not None
    except (ImportError, ValueError):
        return False


def main(out: Path | None = None, stream: TextIO | None = None) -> int:
    """Play the demo, print its transcript and write it with the mood chart to ``out``; the exit status."""
    if not simcord_available():
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    from bot.demo.run import play_demo

    outcome = asyncio.run(play_demo(out or DEFAULT_OUT, stream=sys.stdout if stream is None else stream))
    return outcome.exit_code
