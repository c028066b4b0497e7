"""What every command of the command line shares: exit codes, the invite link, settings problems."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import discord

from bot.app import haven_permissions
from bot.redaction import redact

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
PORTAL_URL = "https://discord.com/developers/applications"


def invite_url(application_id: int | str) -> str:
    """The invite link with exactly the permissions Haven needs."""
    return discord.utils.oauth_url(
        application_id, permissions=haven_permissions(), scopes=("bot", "applications.commands")
    )


def application_id_from_token(token: str) -> str | None:
    """A bot token's first part is its application's ID in base64."""
    import base64
    import binascii

    first = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=False).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if decoded.isdigit() else None


def token_help() -> str:
    """What a new operator needs to get a token and invite the bot."""
    return "\n".join(
        [
            "To run Haven you need a bot token from Discord:",
            f"  1. Open {PORTAL_URL}, create an application (or pick yours), and open its Bot page.",
            "  2. Press 'Reset Token', copy the token, and put it in a file named .env here:",
            "       DISCORD_TOKEN=your-token",
            "     (copy config.example.env to .env to see every setting).",
            "  3. On the same Bot page, under 'Privileged Gateway Intents', switch on",
            "     'Message Content Intent' (crisis-language scanning)",
            "     and 'Server Members Intent' (buddy pairing).",
            "  4. Invite Haven to your server with this link (put your application's ID in it):",
            f"       {invite_url('YOUR_APPLICATION_ID')}",
            "     It asks only for the permissions Haven uses. `python -m bot check` prints your exact link.",
            "Then run `make run` again.",
        ]
    )


def print_problems(problems: Sequence[str], *, token_missing: bool) -> None:
    """One message with every settings problem (to stderr)."""
    lines = ["Haven can't start: please fix these settings."]
    lines += [f"  - {redact(p)}" for p in problems]
    if token_missing:
        lines += ["", token_help()]
    print("\n".join(lines), file=sys.stderr)
