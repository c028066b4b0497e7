"""``python -m bot keygen`` and ``rotate-key``: the data key that encrypts members' text at rest.

The procedure (also in docs/PRIVACY.md, "Encryption at rest"):

- Key file (no DATA_KEY): ``rotate-key`` writes a new key in front of the old one in ``var/data.key`` and
  re-encrypts; a running Haven re-reads the file when it meets the new key, so it keeps working.
- DATA_KEY: make a key with ``keygen``, set ``DATA_KEY=new,old`` and restart Haven (it then reads both and writes
  with the new one), run ``rotate-key``, and once ``check`` finds nothing under the old key, set ``DATA_KEY=new``.
  ``NEW_DATA_KEY=new rotate-key`` does the re-encryption without that restart, for a Haven that is stopped.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys

from bot.cli.common import EXIT_CONFIG, EXIT_OK
from bot.cli.diagnosis import Checklist
from bot.cli.lock import held_elsewhere, lock_path
from bot.config import Settings
from bot.errors import DataKeyError
from bot.storage.crypto import Keyring, generate_key, parse_keys, read_key_file, write_key_file
from bot.storage.encryption import PLAIN, key_census, reencrypt
from bot.storage.engine import Database
from bot.wiring import configured_keyring, missing_key_message, open_database, verify_keyring

NEW_KEY_VARIABLE = "NEW_DATA_KEY"


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_keygen() -> int:
    """Print a new data key (only the key on stdout, so it can be piped)."""
    print(generate_key())
    _say(
        "This is a new data key. Put it in DATA_KEY (keep it secret), and back it up apart from the database: "
        "without it, members' encrypted text can't be read. To change keys, see `python -m bot rotate-key`."
    )
    return EXIT_OK


def new_key_text() -> str:
    """NEW_DATA_KEY from the environment ("" when not set)."""
    return os.environ.get(NEW_KEY_VARIABLE, "").strip()


async def cmd_rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    """Re-encrypt every encrypted value under a new key, in batches, while Haven may be running."""
    db = await open_database(settings, migrate_now=True)
    try:
        current = configured_keyring(settings)
        assert current is not None  # open_database made or refused it
        target = _target_keyring(settings, current)
        if target is None:
            return EXIT_CONFIG
        db.use_keyring(target)
        progress = await reencrypt(db, target, batch_size=args.batch_size)
        left = {kid: n for kid, n in (await key_census(db)).items() if kid not in (PLAIN, target.current_id)}
    finally:
        await db.close()
    print(f"Re-encrypted {progress.rewritten} value(s) under key id {target.current_id}.")
    if left:
        print(
            f"{sum(left.values())} value(s) written meanwhile are still under an older key; they stay readable. "
            "Run rotate-key again after Haven has restarted with the new key."
        )
    print(_next_steps(settings, target))
    return EXIT_OK


def _target_keyring(settings: Settings, current: Keyring) -> Keyring | None:
    """The keyring to re-encrypt with: the new key first, then every current one (so everything still opens)."""
    new_text = new_key_text()
    if new_text:
        keys = parse_keys(new_text, source=NEW_KEY_VARIABLE) + _current_keys(settings)
        target = Keyring(keys)
        if settings.data_key is None:  # the key file gets the new key first, so the next start reads it
            write_key_file(settings.key_file, [_encode(k) for k in dict.fromkeys(keys)], replace=True)
        elif target.current_id not in current.ids and held_elsewhere(lock_path()):
            _say(
                "Haven is running from this folder and doesn't know the new key yet: text re-encrypted now "
                "would be unreadable to it. Set DATA_KEY=new,old and restart Haven first, then run rotate-key "
                f"without {NEW_KEY_VARIABLE}. Nothing was changed."
            )
            return None
        return target
    if settings.data_key is not None:
        if len(current.ids) == 1:
            _say(
                "DATA_KEY holds one key, so there is nothing to rotate to. Make a key with `python -m bot keygen`, "
                "set DATA_KEY=new,old and restart Haven, then run rotate-key again (or stop Haven and give the "
                f"new key in {NEW_KEY_VARIABLE}). Nothing was changed."
            )
            return None
        return current
    old_keys = [_encode(k) for k in _current_keys(settings)]
    write_key_file(settings.key_file, [generate_key(), *old_keys], replace=True)
    target = read_key_file(settings.key_file)
    assert target is not None
    return target


def _encode(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def _current_keys(settings: Settings) -> list[bytes]:
    text = settings.data_key.reveal() if settings.data_key else settings.key_file.read_text("ascii")
    return parse_keys(text)


def _next_steps(settings: Settings, target: Keyring) -> str:
    if settings.data_key is None:
        return (
            f"{settings.key_file} now holds the new key first and the old one(s) after it; a running Haven reads "
            "it again by itself. Back the file up now, apart from the database. Remove the old key lines only "
            "once `python -m bot check` says every value is under the new key."
        )
    return (
        f"Set DATA_KEY to the new key first and the old one(s) after it (key ids {', '.join(target.ids)}), "
        "restart Haven, and back the new key up apart from the database. Drop the old key from DATA_KEY only "
        "once `python -m bot check` says every value is under the new key."
    )


async def check_data_key(settings: Settings, db: Database, checklist: Checklist) -> None:
    """``check``: whether the data key opens the database's encrypted text, and what is left to do."""
    census = await key_census(db)
    encrypted = sum(n for kid, n in census.items() if kid != PLAIN)
    try:
        keyring = configured_keyring(settings)
        if keyring is None:
            problem = missing_key_message(settings, encrypted)
            (checklist.fail if encrypted else checklist.note)(problem)
            return
        await verify_keyring(db, keyring, census)
    except DataKeyError as exc:
        checklist.fail(str(exc))
        return
    where = "DATA_KEY" if settings.data_key is not None else str(settings.key_file)
    checklist.ok(
        f"The data key ({where}, key id {keyring.current_id}) opens all {encrypted} encrypted value(s)."
    )
    older = sum(n for kid, n in census.items() if kid not in (PLAIN, keyring.current_id))
    if older:
        checklist.note(
            f"{older} value(s) are still under an older key; `python -m bot rotate-key` finishes that."
        )
    if census[PLAIN]:
        checklist.note(
            f"{census[PLAIN]} value(s) are still plain text from before encryption; Haven encrypts them at start."
        )
    if settings.data_key is None:
        checklist.note(
            f"Back up {settings.key_file} apart from the database: without it, the text can't be read."
        )
