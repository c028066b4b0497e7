"""The one translation layer: message catalogs for replies, and discord.py's Translator for commands.

Catalogs are JSON files in ``bot/i18n/locales`` named by Discord locale (``en.json``, ``de.json``,
``pt-BR.json``). Adding a language means adding a catalog; no code changes.

Keys:
- reply text: any dotted key, e.g. ``help.title``; ``{name}`` placeholders are filled from params.
- plural forms: ``key.one`` / ``key.other`` (and ``.many`` ... where the language has it), chosen by the ``count``
  parameter with CLDR's rules (``bot/i18n/plural.py``); code asks for ``key``.
- slash commands (English comes from the code): ``command.<qualified name>.name`` and ``.description``,
  ``param.<command>.<param>.name`` and ``.description``, ``choice.<value>``; spaces in qualified names become dots.
  Names follow Discord's rules (lowercase, no spaces, 1-32 characters) and texts mention commands by the names their
  language shows (docs/LANGUAGES.md).

Shipped catalogs are complete (tests/test_i18n_complete.py); ``scripts/i18n_missing.py`` lists any gaps.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.i18n.plural import plural_base, plural_category

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "en"


class Catalogs:
    """Every message catalog, loaded once, with English as the fallback for missing keys."""

    def __init__(self, catalogs: Mapping[str, Mapping[str, str]]) -> None:
        if DEFAULT_LOCALE not in catalogs:
            raise ValueError("the English catalog is required")
        self._catalogs = {locale: dict(entries) for locale, entries in catalogs.items()}
        self._missing_logged: set[str] = set()

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR) -> Catalogs:
        """Load every ``*.json`` catalog in ``directory``."""
        catalogs: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.json")):
            with path.open(encoding="utf-8") as fh:
                data = json.load(fh)
            catalogs[path.stem] = {str(k): str(v) for k, v in data.items() if not str(k).startswith("_")}
        return cls(catalogs)

    @property
    def locales(self) -> list[str]:
        """The locales with a catalog."""
        return sorted(self._catalogs)

    def keys(self, locale: str = DEFAULT_LOCALE) -> set[str]:
        """The keys one catalog defines; a message given in plural forms (``key.one``, ``key.other``) counts as
        ``key`` too."""
        own = set(self._catalogs.get(locale, {}))
        return own | {base for k in own if (base := plural_base(k)) is not None}

    def _template(self, code: str, key: str, count: object) -> str | None:
        """The text for ``key`` in one catalog: as written, or the plural form ``count`` needs there."""
        entries = self._catalogs.get(code, {})
        if key in entries:
            return entries[key]
        if isinstance(count, int | float) and not isinstance(count, bool):
            form = entries.get(f"{key}.{plural_category(code, count)}")
            return form if form is not None else entries.get(f"{key}.other")
        return None

    def resolve_locale(self, locale: object | None) -> str:
        """The best catalog for a Discord locale: exact (``pt-BR``), then language (``pt``), then English."""
        if locale is None:
            return DEFAULT_LOCALE
        value = str(getattr(locale, "value", locale))
        if value in self._catalogs:
            return value
        language = value.split("-", 1)[0]
        return language if language in self._catalogs else DEFAULT_LOCALE

    def lookup(self, key: str, locale: object | None = None) -> str | None:
        """The raw text for ``key`` in ``locale`` (no fallback to English), or ``None``."""
        return self._catalogs.get(self.resolve_locale(locale), {}).get(key)

    def text(self, key: str, locale: object | None = None, /, **params: Any) -> str:
        """The text for ``key`` in ``locale`` (English when missing), with ``params`` filled in.

        A list parameter is shown as a comma-separated list, each item through ``value.<item>``
        when the catalog has such a label (permission names, for example).
        """
        code = self.resolve_locale(locale)
        count = params.get("count")
        template = self._template(code, key, count)
        if template is None:
            template = self._template(DEFAULT_LOCALE, key, count)
        if template is None:
            if key not in self._missing_logged:
                self._missing_logged.add(key)
                log.error("Missing message catalog key %s", key)
            return key
        rendered = {name: self._render_param(value, code) for name, value in params.items()}
        try:
            return template.format_map(_Defaulting(rendered))
        except (ValueError, IndexError):
            log.error("Malformed catalog entry %s in %s", key, code)
            return (self._template(DEFAULT_LOCALE, key, count) or key).format_map(_Defaulting(rendered))

    def _render_param(self, value: Any, code: str) -> Any:
        if isinstance(value, list | tuple | set | frozenset):
            items: list[Any] = list(value)  # pyright: ignore[reportUnknownArgumentType]
            return ", ".join(
                self.text(f"value.{item}", code) if self._has(f"value.{item}") else str(item)
                for item in items
            )
        return value

    def _has(self, key: str) -> bool:
        return key in self._catalogs[DEFAULT_LOCALE]


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
