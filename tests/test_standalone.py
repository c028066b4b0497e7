"""The repository stands alone: nothing in it reads files outside it.

A clone on a machine with nothing beside it must pass ``make test``, so tests, benchmarks, scripts, CI and the
bot may only read paths inside the repository (vendored copies live in ``tests/reference/`` with their licences).
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOTS = ".."
# Written in pieces so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        [
            re.escape(DOTS + "/shared"),
            re.escape(DOTS + "\\shared"),
            r"/work/" + "(main|shared)",
            r"parents\[\d+\]\.parent\b",
            r"\.parent\.parent\.parent\b",
        ]
    )
)
TEXT_SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ".yml", ".yaml", ".json", ".env", ".txt", ".in"}
TEXT_NAMES = {"Makefile", "Dockerfile", "run", ".gitignore", ".dockerignore"}


def _tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        paths = [ROOT / name for name in listed]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked archive)
        paths = [p for p in ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts]
    return [p for p in paths if p.is_file() and (p.suffix in TEXT_SUFFIXES or p.name in TEXT_NAMES)]


def _code_files() -> list[Path]:
    this = Path(__file__).resolve()
    return [
        p
        for p in _tracked_files()
        if "reference" not in p.relative_to(ROOT).parts[:2] and p.resolve() != this
    ]


def test_no_file_refers_to_a_path_outside_the_repository() -> None:
    offenders: list[str] = []
    for path in _code_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert offenders == []


def test_no_python_string_names_the_shared_folder() -> None:
    offenders: list[str] = []
    for path in _code_files():
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value.strip()
                if value == "shared" or value.startswith(DOTS + "/shared"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {value[:60]!r}")
    assert offenders == []


def test_the_check_finds_a_path_outside() -> None:
    assert OUTSIDE.search('REFERENCE = ROOT.parents[1].parent / "x"')
    assert OUTSIDE.search("cat " + DOTS + "/" + "shared" + "/x.csv")
    assert not OUTSIDE.search('ROOT / "tests" / "reference"')


def test_vendored_reference_data_carries_its_licence_and_source() -> None:
    reference = ROOT / "tests" / "reference"
    assert (reference / "README.md").is_file()
    assert (reference / "discord-openapi" / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert (reference / "discord-openapi" / "openapi.json").is_file()
    assert "Sources" in (reference / "helplines" / "README.md").read_text(encoding="utf-8")
