"""``python -m bot demo``: the real Haven bot in an in-process simulated Discord, telling a short story.

No token, no ``.env``, no network: the simulated Discord comes from simcord (the optional ``demo`` extra), imported
only here and only when the demo runs, so the bot itself never needs it. The database is a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

DEFAULT_OUT = Path("var") / "demo"
INSTALL_HINT = (
    "The demo needs the simulated Discord (simcord), which isn't installed.\n"
    "Install it with:  pip install -e '.[demo]'   (or run:  make demo)"
)


def simcord_problem() -> str | None:
    """Why the simulated Discord can't be used (not installed, or not matching discord.py), or None."""
    try:
        import simcord  # noqa: F401  # the demo's optional dependency: imported only when the demo runs
    except ImportError as exc:
        if exc.name == "simcord":
            return INSTALL_HINT
        return f"The simulated Discord (simcord) can't load: {exc}\n{INSTALL_HINT.splitlines()[1]}"
    return None


def main(out: Path | None = None, stream: TextIO | None = None) -> int:
    """Play the demo, print its transcript and write it with the mood chart to ``out``; the exit status."""
    problem = simcord_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    from bot.demo.run import play_demo

    try:
        outcome = asyncio.run(play_demo(out or DEFAULT_OUT, stream=sys.stdout if stream is None else stream))
    except KeyboardInterrupt:
        return 1
    except (
        Exception
    ) as exc:  # a bug in the demo or the bot: say so plainly, the transcript so far shows where
        print(f"The demo stopped unexpectedly: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return outcome.exit_code
