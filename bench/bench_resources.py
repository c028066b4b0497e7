"""Resource lookup figures (issue: Resource lookup): load, lookup with rendering, autocomplete.

Targets: data loads once in under 100 ms; a lookup with its rendering under 5 ms; autocomplete under 10 ms for any
prefix. Each is printed beside a simple baseline measured in the same run.

    .venv/bin/python bench/bench_resources.py
"""

from __future__ import annotations

import difflib
import json
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import system_clock
from bot.cogs.resources.embeds import render_answer
from bot.domain.resources import LINE_TOPICS, Directory, Topic
from bot.i18n import Catalogs
from bot.services.resources import HELPLINES_PATH, ResourceService, load_directory


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call, ``repeat`` times."""
    out: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered):7.3f} ms  p99 {p99:7.3f} ms  max {ordered[-1]:7.3f} ms"


def main() -> None:
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    rows: list[tuple[str, str, str, str]] = []

    # 1. Load at start-up: read, parse and index the directory. Baseline: json.load alone.
    load = timed(load_directory, 30)
    baseline_load = timed(lambda: json.loads(HELPLINES_PATH.read_text(encoding="utf-8")), 30)
    rows.append(("load helplines.json", "< 100 ms", summary(load), summary(baseline_load)))

    directory = load_directory()
    catalogs = Catalogs.load()
    service = ResourceService(directory, repo=None, clock=system_clock)  # type: ignore[arg-type]  # help_for needs no DB
    raw = json.loads(HELPLINES_PATH.read_text(encoding="utf-8"))
    raw_by_code = {c["code"]: c for c in raw["countries"]}

    # 2. Lookup with rendering, for every country and topic. Baseline: dict lookup + json.dumps of the raw entry.
    cases = [(code, topic) for code in directory.countries for topic in (*LINE_TOPICS, Topic.GROUNDING)]

    def lookup_all() -> list[float]:
        samples: list[float] = []
        for code, topic in cases:
            start = time.perf_counter()
            answer = service.help_for(code, topic)
            render_answer(catalogs, "en-US", answer, directory).to_dict()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    def baseline_all() -> list[float]:
        samples: list[float] = []
        for code, _topic in cases:
            start = time.perf_counter()
            json.dumps(raw_by_code[code], ensure_ascii=False)
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    lookup_all()  # warm
    rows.append(
        (
            f"lookup + render ({len(cases)} country/topic pairs)",
            "< 5 ms",
            summary(lookup_all()),
            summary(baseline_all()),
        )
    )

    # 3. Autocomplete for any prefix: every prefix of every name and alias, odd input, 100 characters.
    prefixes = {""}
    for country in directory.countries.values():
        for name in (country.name, *country.aliases):
            prefixes.update(name[:n] for n in range(1, len(name) + 1))
    prefixes.update(["x" * 100, "a" * 100, string.punctuation, "zzzz", "é", "%_*"])
    prefixes_list = sorted(prefixes)
    names = [(c.name.casefold(), c.code) for c in directory.countries.values()]

    def search_all() -> list[float]:
        return [t for p in prefixes_list for t in timed(lambda p=p: directory.search(p), 1)]

    def naive_all() -> list[float]:
        def naive(prefix: str) -> list[str]:
            q = prefix.casefold()
            starts = [code for name, code in names if name.startswith(q)]
            contains = [code for name, code in names if q in name and code not in starts]
            return (starts + contains)[:25]

        return [t for p in prefixes_list for t in timed(lambda p=p: naive(p), 1)]

    rows.append(
        (
            f"autocomplete ({len(prefixes_list)} inputs)",
            "< 10 ms",
            summary(search_all()),
            summary(naive_all()),
        )
    )

    rows += typo_rows(directory)

    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'target':<9} {'Haven':<52} baseline")
    for name, target, ours, base in rows:
        print(f"{name:<{width}}  {target:<9} {ours:<52} {base}")


TYPOS = ["germnay", "untied states", "swizerland", "frnace", "austrlia", "unted kingdom", "brazl", "xqzv"]
ZONE_TYPOS = ["berln", "frankfrut", "tokio", "lodnon", "germnay", "xqzv"]


def typo_rows(directory: Directory) -> list[tuple[str, str, str, str]]:
    """Autocomplete with typos: rapidfuzz (what Haven uses) against difflib over the same names."""
    from bot.domain import timezones

    keys = list(directory._keys)  # pyright: ignore[reportPrivateUsage]
    zone_keys, _ = timezones._best_by_key()  # pyright: ignore[reportPrivateUsage]
    timezones.timezone_choices("warm up")

    def difflib_search(query: str, candidates: list[str] | tuple[str, ...]) -> list[str]:
        return difflib.get_close_matches(query, candidates, n=25, cutoff=0.75)

    countries = [t for q in TYPOS for t in timed(lambda q=q: directory.search(q), 20)]
    countries_difflib = [t for q in TYPOS for t in timed(lambda q=q: difflib_search(q, keys), 5)]
    zones = [t for q in ZONE_TYPOS for t in timed(lambda q=q: timezones.timezone_choices(q), 5)]
    zones_difflib = [t for q in ZONE_TYPOS for t in timed(lambda q=q: difflib_search(q, zone_keys), 1)]
    return [
        (
            f"country typos ({len(keys)} names, rapidfuzz)",
            "< 10 ms",
            summary(countries),
            summary(countries_difflib),
        ),
        (
            f"timezone typos ({len(zone_keys)} names, rapidfuzz)",
            "< 100 ms",
            summary(zones),
            summary(zones_difflib),
        ),
    ]


if __name__ == "__main__":
    main()
