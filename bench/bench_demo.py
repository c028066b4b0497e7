"""How long ``python -m bot demo`` takes (the issue asks for under 60 seconds on the project's 2-core machine).

.venv/bin/python bench/bench_demo.py [RUNS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.demo.run import play_demo

TARGET_SECONDS = 60.0


async def one_run(out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    outcome = await play_demo(out)
    if outcome.exit_code != 0:
        raise SystemExit(f"the demo failed: {outcome.problems}")
    return time.perf_counter() - started, len(outcome.requests)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    times: list[float] = []
    requests = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            seconds, requests = asyncio.run(one_run(Path(tmp) / str(n)))
            times.append(seconds)
    print(
        f"demo, {runs} runs: median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
        f"max {max(times):.2f} s ({requests} REST requests each); target < {TARGET_SECONDS:.0f} s"
    )
    if max(times) >= TARGET_SECONDS:
        raise SystemExit("slower than the target")


if __name__ == "__main__":
    main()
