"""Structural rules: layers, command descriptions, catalogs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.i18n import Catalogs
from tests.kit import offline_bot

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
PURE_LAYERS = ("domain", "services", "storage")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", PURE_LAYERS)
def test_pure_layers_never_import_discord(layer: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (BOT / layer).rglob("*.py")
        if any(name == "discord" or name.startswith("discord.") for name in _imports(path))
    ]
    assert offenders == []


def test_domain_does_no_io() -> None:
    forbidden = {
        "sqlalchemy",
        "asyncio",
        "aiosqlite",
        "asyncpg",
        "bot.storage",
        "bot.services",
        "os",
        "socket",
    }
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (BOT / "domain").rglob("*.py")
        for name in _imports(path)
        if name in forbidden or any(name.startswith(f + ".") for f in forbidden)
    ]
    assert offenders == []


def test_benchmark_libraries_are_never_imported_by_the_bot() -> None:
    # networkx (the exact matching) and pyahocorasick are in the dev extra for the benchmarks only
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in BOT.rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in {"networkx", "ahocorasick", "hyperscan"}
    ]
    assert offenders == []


def test_sql_lives_only_in_storage() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in BOT.rglob("*.py")
        if "storage" not in path.relative_to(BOT).parts
        and any(name.startswith("sqlalchemy") for name in _imports(path))
    ]
    assert offenders == []


ADAPTERS = ("cogs", "ui")


def _adapter_files() -> list[Path]:
    return [path for layer in ADAPTERS for path in (BOT / layer).rglob("*.py")]


def test_cogs_and_views_never_import_storage() -> None:
    """Cogs and views see services and domain types; rows and repositories stay behind the services."""
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _adapter_files()
        for name in _imports(path)
        if name == "bot.storage" or name.startswith("bot.storage.")
    ]
    assert offenders == []


def test_cogs_and_views_never_look_cogs_up_by_name() -> None:
    """What one feature needs from another is handed over by the composition root, not found by a string."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _adapter_files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_cog"
    ]
    assert offenders == []


def test_cogs_and_views_never_reach_into_bot_services() -> None:
    """Each cog, view and button receives the services it uses; none reaches through ``bot.services``."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _adapter_files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "services"
    ]
    assert offenders == []


def test_the_structure_checks_see_a_violation() -> None:
    """The checks above find what they look for (a guard against a check that silently passes)."""
    sample = ast.parse("cog = bot.get_cog('CrisisCog')\nx = bot.services.crisis\n")
    attrs = {node.attr for node in ast.walk(sample) if isinstance(node, ast.Attribute)}
    assert {"get_cog", "services"} <= attrs
    assert _adapter_files(), "no cogs or views found: the paths are wrong"


def test_no_load_dotenv_outside_the_composition_root() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in BOT.rglob("*.py")
        if "load_dotenv(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.fixture
async def commands_tree(tmp_path: Path):
    async with offline_bot(tmp_path) as bot:
        yield bot.tree


def _walk(tree: app_commands.CommandTree):  # type: ignore[type-arg]
    # Slash commands only: Discord gives context-menu commands a name and no description.
    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        yield command
        if isinstance(command, app_commands.Group):
            yield from command.walk_commands()


async def test_every_command_and_option_has_a_short_description(commands_tree) -> None:
    problems: list[str] = []
    for command in _walk(commands_tree):
        description = getattr(command, "description", "")
        if not 1 <= len(description) <= 100:
            problems.append(f"/{command.qualified_name}: {len(description)} characters")
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                if not 1 <= len(param.description) <= 100 or param.description == "…":
                    problems.append(f"/{command.qualified_name} {param.name}: needs a description")
    assert problems == []


async def test_no_two_commands_share_a_name(commands_tree) -> None:
    names = [c.qualified_name for c in _walk(commands_tree)]
    assert len(names) == len(set(names))
    top = [c.name for c in commands_tree.get_commands()]
    assert len(top) == len(set(top))


KEY = re.compile(r"^[a-z_]+(?:\.[a-z_]+)+$")


def _catalog_keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    pattern = re.compile(r"""(?:\.text|\bt)\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")
    for path in BOT.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys.update(pattern.findall(source))
        tree = ast.parse(source)
        for node in ast.walk(tree):
            # key = "..." on DomainError subclasses, and DomainError("...") / InvalidInput("...") calls
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "key" for t in node.targets)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                keys.add(node.value.value)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id.endswith(("Error", "Input", "Allowed"))
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and KEY.match(node.args[0].value)
            ):
                keys.add(node.args[0].value)
            if (
                isinstance(node, ast.Return)
                and isinstance(node.value, ast.Tuple)
                and node.value.elts
                and isinstance(node.value.elts[0], ast.Constant)
                and isinstance(node.value.elts[0].value, str)
                and node.value.elts[0].value.startswith("error.")
            ):
                keys.add(node.value.elts[0].value)
    return keys


def test_every_message_key_used_in_code_is_in_the_english_catalog() -> None:
    used = _catalog_keys_used_in_code()
    assert len(used) > 20, "the scan found too few keys; is the pattern still right?"

    missing = sorted(used - Catalogs.load().keys("en"))

    assert missing == []


DYNAMIC_KEY = re.compile(r"""(?:\.text|\bt|\b_t)\(\s*(?:interaction,\s*)?f["']([a-z_]+(?:\.[a-z_]+)*\.)\{""")


def _dynamic_key_prefixes_used_in_code() -> set[str]:
    """Prefixes of keys built at run time, such as ``f"checkin.status.{view.status}"`` -> ``checkin.status.``."""
    return {
        prefix
        for path in BOT.rglob("*.py")
        for prefix in DYNAMIC_KEY.findall(path.read_text(encoding="utf-8"))
    }


def _dynamic_key_families() -> dict[str, set[str]]:
    """Every value each run-time key family can take, from the code that produces the values."""
    from bot.domain.alerts import Status
    from bot.domain.checkins import SCHEDULE_STATUSES, TAGS, TRENDS, Mood
    from bot.domain.crisis import Kind, Severity
    from bot.domain.resources import Topic

    return {
        "checkin.mood.": {str(m.value) for m in Mood},
        "checkin.tag.": set(TAGS),
        "checkin.status.": set(SCHEDULE_STATUSES),
        "checkin.trend.": set(TRENDS),
        "crisis.severity.": {s.label for s in Severity},
        "crisis.kind.": {k.value for k in Kind},
        "crisis.status.": {s.value for s in Status},
        "topic.": {t.value for t in Topic},
        "day.": {str(n) for n in range(7)},
    }


def test_every_message_key_built_at_run_time_is_in_the_english_catalog() -> None:
    english = Catalogs.load().keys("en")
    used = _dynamic_key_prefixes_used_in_code()
    families = _dynamic_key_families()
    assert set(families) <= used, (
        "a listed family is no longer found in the code; is the pattern still right?"
    )

    # Families whose values are known: every one needs a key. Others: at least one key must carry the prefix.
    missing = sorted(f"{p}{v}" for p, values in families.items() for v in values if f"{p}{v}" not in english)
    unknown = sorted(p for p in used - set(families) if not any(k.startswith(p) for k in english))

    assert missing == []
    assert unknown == []


def test_other_catalogs_only_translate_known_keys() -> None:
    catalogs = Catalogs.load()
    english = catalogs.keys("en")
    for locale in catalogs.locales:
        extra = {
            k for k in catalogs.keys(locale) - english if not k.startswith(("command.", "param.", "choice."))
        }
        assert extra == set(), locale


def test_every_topic_day_and_self_help_text_has_a_catalog_entry() -> None:
    from bot.domain.resources import SELF_HELP_TOPICS, Topic

    english = Catalogs.load().keys("en")
    needed = {f"topic.{t.value}" for t in Topic} | {f"day.{n}" for n in range(7)}
    needed |= {f"selfhelp.{t.value}.{part}" for t in SELF_HELP_TOPICS for part in ("title", "body")}

    assert needed - english == set()
