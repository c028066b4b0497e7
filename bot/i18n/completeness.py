"""Which texts a language still lacks or gets wrong: every English catalog key, every command text Discord shows
(names included), Discord's rules for names, and the commands the texts mention.

Used by ``tests/test_i18n_complete.py`` (which fails on any gap) and ``scripts/i18n_missing.py`` (which lists
the gaps, for a translator's final pass). See docs/LANGUAGES.md.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import discord
from discord import app_commands

from bot.i18n import DEFAULT_LOCALE, Catalogs
from bot.i18n.translator import HavenTranslator

# Discord's limit for command, option and choice texts.
COMMAND_TEXT_LIMIT = 100
NAME_LIMIT = 32
# A command mentioned in a text: "/checkin export", "/privacy scanning enabled:", not "{url}/blob" or "and/or".
_REFERENCE = re.compile(r"(?<![\w}/.:])/([\w-]+(?: [\w-]+:?)*)")


class _Recorder(app_commands.Translator):
    """Notes every command text and its key, and translates nothing."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = HavenTranslator.key_for(context)
        if key is not None:
            self.texts.setdefault(key, string.message)
        return None


async def command_texts(tree: app_commands.CommandTree[discord.Client]) -> dict[str, str]:
    """``{catalog key: English text}`` for every name, description and choice name of the commands in ``tree``."""
    recorder = _Recorder()
    for command in tree.get_commands():
        await command.get_translated_payload(tree, recorder)
    return recorder.texts


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders in a catalog text."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return {"<malformed>"}


def valid_name(name: str) -> bool:
    r"""Discord's rule for command and option names: ``^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$``, lowercase."""
    if not 1 <= len(name) <= NAME_LIMIT or name != name.lower():
        return False
    return all(
        ch in "-_"
        or unicodedata.category(ch)[0] in "LN"
        or unicodedata.name(ch, "").startswith(("DEVANAGARI", "THAI"))
        for ch in name
    )


def _is_name(key: str) -> bool:
    return key.endswith(".name") and key.startswith(("command.", "param."))


def _parent(key: str) -> str:
    """Names must differ among siblings: ``command.crisis.test.name`` → ``command.crisis``."""
    return key.rsplit(".", 2)[0]


def duplicate_names(names: dict[str, str]) -> list[str]:
    """Name keys whose value a sibling (a command of the same group, an option of the same command) also has."""
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, value in names.items():
        seen[(_parent(key), value)].append(key)
    return sorted(key for keys in seen.values() if len(keys) > 1 for key in keys)


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)  # by the name shown in the language
    english: dict[str, str] = field(default_factory=dict)  # English child name -> the name shown
    options: set[str] = field(default_factory=set)
    english_options: dict[str, str] = field(default_factory=dict)


def command_tree(commands: dict[str, str], names: dict[str, str]) -> _Node:
    """The commands and options as one language names them (``names``: name key -> name; English when absent)."""
    root = _Node()
    paths: dict[str, _Node] = {}
    for key in sorted((k for k in commands if k.startswith("command.") and k.endswith(".name")), key=len):
        parent = paths.get(_parent(key), root)
        node = _Node()
        shown = names.get(key, commands[key])
        parent.children[shown] = node
        parent.english[commands[key]] = shown
        paths[key.removesuffix(".name")] = node
    for key in (k for k in commands if k.startswith("param.") and k.endswith(".name")):
        node = paths.get("command." + _parent(key).removeprefix("param."))
        if node is not None:
            shown = names.get(key, commands[key])
            node.options.add(shown)
            node.english_options[commands[key]] = shown
    return root


def wrong_references(text: str, tree: _Node) -> list[str]:
    """Commands ``text`` mentions by a name this language doesn't show (``/checkin export`` where Spanish shows
    ``/registro exportar``), or options the command doesn't have."""
    wrong: list[str] = []
    for match in _REFERENCE.finditer(text):
        node = tree
        for word in match.group(1).split(" "):
            if word.endswith(":"):  # an option: "/privacy scanning enabled:"
                if node is not tree and word[:-1] not in node.options:
                    wrong.append(match.group(0))
                break
            if word in node.children:
                node = node.children[word]
                continue
            if word in node.english:  # an English name this language shows differently
                wrong.append(match.group(0))
            break  # otherwise an ordinary word after the command (or no command at all: "/main")
    return wrong


@dataclass
class Gaps:
    """What one language lacks or gets wrong."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # keys English no longer has
    placeholders: list[str] = field(default_factory=list)  # keys whose {placeholders} differ from English
    too_long: list[str] = field(default_factory=list)  # command texts over Discord's 100 characters
    bad_names: list[str] = field(default_factory=list)  # names Discord refuses (uppercase, spaces, over 32)
    duplicate_names: list[str] = field(default_factory=list)  # the same name twice among siblings
    references: dict[str, list[str]] = field(
        default_factory=dict
    )  # key -> commands named as this language doesn't

    def __bool__(self) -> bool:
        return bool(
            self.missing
            or self.stale
            or self.placeholders
            or self.too_long
            or self.bad_names
            or self.duplicate_names
            or self.references
        )


def find_gaps(catalogs: Catalogs, commands: dict[str, str]) -> dict[str, Gaps]:
    """The gaps of every non-English catalog, against English and the command texts in ``commands``."""
    english = {key: catalogs.lookup(key, DEFAULT_LOCALE) or "" for key in catalogs.keys(DEFAULT_LOCALE)}
    required = {**commands, **english}
    report: dict[str, Gaps] = {}
    for locale in catalogs.locales:
        if locale == DEFAULT_LOCALE:
            continue
        gaps = Gaps()
        have = catalogs.keys(locale)
        gaps.missing = sorted(set(required) - have)
        gaps.stale = sorted(have - set(required))
        for key in sorted(have & set(required)):
            text = catalogs.lookup(key, locale) or ""
            if placeholders(text) != placeholders(required[key]):
                gaps.placeholders.append(key)
            if key in commands and len(text) > COMMAND_TEXT_LIMIT:
                gaps.too_long.append(key)
        names = {key: catalogs.lookup(key, locale) or "" for key in have if _is_name(key)}
        gaps.bad_names = sorted(key for key, name in names.items() if not valid_name(name))
        gaps.duplicate_names = duplicate_names(names)
        gaps.references = references_in(catalogs, locale, command_tree(commands, names))
        report[locale] = gaps
    return report


def references_in(catalogs: Catalogs, locale: str, tree: _Node) -> dict[str, list[str]]:
    """``{key: wrong mentions}`` for every text of ``locale`` that names a command as that language doesn't."""
    found: dict[str, list[str]] = {}
    for key in sorted(catalogs.keys(locale)):
        text = catalogs.lookup(key, locale)
        if text and (wrong := wrong_references(text, tree)):
            found[key] = wrong
    return found
