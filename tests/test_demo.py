"""``python -m bot demo``: the real bot in simcord tells its story, with no token, no settings and no network."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo import run as demo_run
from bot.demo.story import CRISIS_LINE
from bot.wiring import shipped_lexicon
from tests.discord_spec import request_problems

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_demo_tells_the_whole_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # An operator's folder: a .env pointing at their database, and no token. The demo must touch neither.
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite+aiosqlite:///operator.db\n", encoding="utf-8")
    for name in ("DISCORD_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    outcomes: list[demo_run.DemoOutcome] = []
    real_play = demo_run.play_demo

    async def recording(*args: object, **kwargs: object) -> demo_run.DemoOutcome:
        outcome = await real_play(*args, **kwargs)  # type: ignore[arg-type]
        outcomes.append(outcome)
        return outcome

    monkeypatch.setattr(demo_run, "play_demo", recording)

    status = main(["demo"])

    printed = capsys.readouterr()
    assert status == 0, printed.out + printed.err
    assert printed.err == ""
    [outcome] = outcomes
    assert outcome.problems == []
    text = printed.out
    steps = [
        "-> Alex uses /setup alerts channel:#mod-alerts role:@Moderators",
        "(only Alex sees) Haven: Saved. Alerts will go to #mod-alerts and ping @Moderators.",
        "[#welcome] Haven: «How Haven looks out for this community»",
        "-> Robin uses /buddy join",
        "[DM to Robin] Haven: Hi! Haven has a buddy for you",
        "-> Sam presses [Say hello]",
        "[DM to Sam] Haven: You're buddies!",
        "-> Sam uses /checkin schedule",
        "[DM to Sam] Haven: Hi, it's check-in time",
        "Haven updates its message: Saved: 🙂 Good.",
        "7 check-ins",
        "attached: mood.png",
        "(only Robin sees) Haven: «Support in Ireland»",
        f"-> Kim in #general: “{CRISIS_LINE}”",
        "[#mod-alerts] Haven → @Moderators: «Imminent alert",
        "[DM to Kim] Haven:",
        "-> Alex presses [I'm on it]",
        "Status: @Alex is on it.",
        "Status: Resolved by @Alex.",
    ]
    missing = [step for step in steps if step not in text]
    assert missing == [], text
    # Short and readable: no IDs, no log lines, every line fits.
    lines = text.splitlines()
    assert 40 <= len(lines) <= 85, len(lines)
    assert all(len(line) <= 110 for line in lines)
    assert re.search(r"\d{15,}", text) is None  # no Discord IDs
    assert "Traceback" not in text and "server 1" not in text
    out = tmp_path / "var" / "demo"
    assert (out / "mood-chart.png").read_bytes().startswith(PNG_SIGNATURE)
    assert (out / "transcript.txt").read_text(encoding="utf-8") == text
    assert not (tmp_path / "operator.db").exists()
    # Everything the bot sent would be accepted by Discord.
    problems = [p for r in outcome.requests for p in request_problems(r.method, r.path, r.json)]
    assert problems == []


def test_the_crisis_line_is_caught_and_says_it_is_a_demo() -> None:
    from bot.domain.crisis import Detector, Severity

    assert "demo" in CRISIS_LINE.lower()
    assert Detector(shipped_lexicon()).detect(CRISIS_LINE).severity == Severity.IMMINENT


def test_without_simcord_the_demo_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "simcord", None)  # as if the demo extra were not installed

    status = main(["demo"])

    printed = capsys.readouterr()
    assert status == 2
    assert "pip install -e '.[demo]'" in printed.err and "make demo" in printed.err
    assert "Traceback" not in printed.err and printed.out == ""


def _simcord_imports(path: Path) -> list[tuple[int, bool]]:
    """(line, at module level and not under ``if TYPE_CHECKING``) for each import of simcord in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in child.names] if isinstance(child, ast.Import) else [child.module or ""]
                )
                if any(n == "simcord" or n.startswith("simcord.") for n in names):
                    found.append((child.lineno, top))
            type_checking = isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            nested = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
            visit(child, top and not type_checking and not nested)

    visit(tree, True)
    return found


def test_only_the_demo_imports_simcord_and_only_when_it_runs() -> None:
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        in_demo = "demo" in path.relative_to(ROOT / "bot").parts[:1]
        for line, top in _simcord_imports(path):
            if not in_demo or top:
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []
    assert _simcord_imports(ROOT / "bot" / "demo" / "run.py")  # the check above looks at real imports
