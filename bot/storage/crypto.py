"""Encryption of members' free text at rest (AES-256-GCM), and the data key that opens it.

A stored value looks like ``hv1:<key id>:<base64 of nonce + ciphertext + tag>``. ``hv1`` is the format's version;
the key id (8 hex digits derived from the key) says which key wrote it, so a value under an old key, or under a key
Haven doesn't have, is recognised without trying every key. Anything else is legacy plain text from before
encryption: it is read as it is, and encrypted by the pass at start-up or by ``rotate-key``.

Keys are 32 random bytes in URL-safe base64 (44 characters). A keyring holds one or more, newest first: the first
encrypts, every one decrypts (``DATA_KEY=new,old`` during a rotation). A keyring read from the key file re-reads
it when it meets a key id it doesn't know, so ``rotate-key`` can run while Haven is running.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.errors import DataKeyError

VERSION: Final = "hv1"
PREFIX: Final = VERSION + ":"
KEY_ID_LENGTH: Final = 8
# "hv1:" + key id + ":": what a value starts with, and how many characters say which key wrote it.
HEADER_LENGTH: Final = len(PREFIX) + KEY_ID_LENGTH + 1
KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
RELOAD_INTERVAL: Final = 5.0  # seconds between re-reads of the key file for an unknown key id
_DIALECT_ATTRIBUTE: Final = "haven_keyring"


def generate_key() -> str:
    """A new random key, as DATA_KEY takes it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    """The short, public name of a key (a hash: it reveals nothing about the key)."""
    return hashlib.sha256(b"haven data key id\0" + key).hexdigest()[:KEY_ID_LENGTH]


def parse_keys(text: str, *, source: str = "DATA_KEY") -> list[bytes]:
    """The keys in ``text`` (separated by commas or new lines, newest first).

    Raises:
        DataKeyError: when a part is not a key; the message never shows the text itself.
    """
    keys: list[bytes] = []
    parts = [p.strip() for p in text.replace("\n", ",").split(",")]
    for number, part in enumerate((p for p in parts if p), start=1):
        try:
            key = base64.urlsafe_b64decode(part.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            key = b""
        if len(key) != KEY_BYTES:
            raise DataKeyError(
                f"{source} key {number} is not a Haven data key (44 characters of URL-safe base64, as "
                "`python -m bot keygen` prints)."
            )
        if key not in keys:
            keys.append(key)
    if not keys:
        raise DataKeyError(f"{source} holds no key.")
    return keys


def key_id_of(value: str) -> str | None:
    """Which key encrypted a stored value; ``None`` for legacy plain text."""
    if not value.startswith(PREFIX) or len(value) < HEADER_LENGTH or value[HEADER_LENGTH - 1] != ":":
        return None
    return value[len(PREFIX) : HEADER_LENGTH - 1]


class Keyring:
    """The data keys, newest first: the first one encrypts, all of them decrypt."""

    def __init__(self, keys: list[bytes], *, key_file: Path | None = None) -> None:
        if not keys:
            raise DataKeyError("A keyring needs at least one key.")
        self._lock = threading.Lock()
        self._key_file = key_file
        self._last_reload = 0.0
        self._set(keys)

    def _set(self, keys: list[bytes]) -> None:
        self._ids = [key_id(k) for k in keys]
        self._ciphers = {kid: AESGCM(k) for kid, k in zip(self._ids, keys, strict=True)}

    @classmethod
    def from_text(cls, text: str, *, source: str = "DATA_KEY", key_file: Path | None = None) -> Keyring:
        """A keyring from DATA_KEY's value or a key file's text."""
        return cls(parse_keys(text, source=source), key_file=key_file)

    @property
    def current_id(self) -> str:
        """The id of the key that encrypts."""
        return self._ids[0]

    @property
    def ids(self) -> tuple[str, ...]:
        """Every key's id, newest first."""
        return tuple(self._ids)

    def encrypt(self, text: str) -> str:
        """``text`` encrypted under the newest key."""
        kid = self._ids[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[kid].encrypt(nonce, text.encode("utf-8"), f"{PREFIX}{kid}".encode())
        return f"{PREFIX}{kid}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, value: str) -> str:
        """The text in a stored value (legacy plain text comes back as it is).

        Raises:
            DataKeyError: the value's key isn't in the keyring, or it doesn't open with it (wrong key, damage).
        """
        kid = key_id_of(value)
        if kid is None:
            return value
        cipher = self._ciphers.get(kid) or self._reloaded(kid)
        if cipher is None:
            raise DataKeyError(
                f"Some text was encrypted with a data key Haven doesn't have (key id {kid}; Haven has "
                f"{', '.join(self._ids)}). Set DATA_KEY to the key that was in use (see docs/PRIVACY.md)."
            )
        try:
            data = base64.urlsafe_b64decode(value[HEADER_LENGTH:].encode("ascii"))
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], f"{PREFIX}{kid}".encode())
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise DataKeyError(
                f"A value encrypted with key {kid} doesn't open: it was damaged or changed outside Haven."
            ) from exc
        return plain.decode("utf-8")

    def _reloaded(self, kid: str) -> AESGCM | None:
        """Re-read the key file (at most every few seconds) when a value names a key we don't have yet."""
        if self._key_file is None:
            return None
        with self._lock:
            if kid not in self._ciphers and time.monotonic() - self._last_reload >= RELOAD_INTERVAL:
                self._last_reload = time.monotonic()
                try:
                    keys = parse_keys(self._key_file.read_text("ascii"), source=str(self._key_file))
                except (OSError, UnicodeDecodeError, DataKeyError):
                    return None
                self._set(keys)
            return self._ciphers.get(kid)


class Passthrough(Keyring):
    """Values go in and come out exactly as stored: for copying a database without its key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key_file = None
        self._last_reload = 0.0
        self._ids = []
        self._ciphers = {}

    @property
    def current_id(self) -> str:
        return ""

    def encrypt(self, text: str) -> str:
        return text

    def decrypt(self, value: str) -> str:
        return value


_default: Keyring | None = None


def attach_keyring(dialect: Any, keyring: Keyring | None) -> None:
    """Use ``keyring`` for every encrypted column read or written through this engine's dialect."""
    setattr(dialect, _DIALECT_ATTRIBUTE, keyring)


def set_default_keyring(keyring: Keyring | None) -> None:
    """The keyring for engines that have none attached (tests and benchmarks; Haven attaches its own)."""
    global _default
    _default = keyring


def keyring_for(dialect: Any) -> Keyring:
    """The keyring of an engine's dialect.

    Raises:
        DataKeyError: none is set up, so text can be neither encrypted nor read.
    """
    keyring = getattr(dialect, _DIALECT_ATTRIBUTE, None) or _default
    if keyring is None:
        raise DataKeyError("No data key is set up for this database, so member text can't be read or stored.")
    assert isinstance(keyring, Keyring)
    return keyring


def read_key_file(path: Path) -> Keyring | None:
    """The keyring in the key file, or ``None`` when there is no file.

    Raises:
        DataKeyError: the file can't be read or holds no valid key.
    """
    try:
        text = path.read_text("ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataKeyError(f"Can't read the data key file {path}: {exc}.") from exc
    return Keyring.from_text(text, source=str(path), key_file=path)


def write_key_file(path: Path, keys: list[str], *, replace: bool = False) -> None:
    """Write keys (newest first) to a file only its owner can read.

    A new file is never written over an existing one unless ``replace`` (rotation, which keeps the old keys in it);
    a replacement is written beside it and renamed, so a crash leaves either file whole.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(keys) + "\n"
    target = path.with_name(path.name + ".new") if replace else path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError as exc:
        if replace:
            target.unlink()
            fd = os.open(target, flags, 0o600)
        else:
            raise DataKeyError(f"{path} already exists; Haven never writes over a data key.") from exc
    try:
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if replace:
        os.replace(target, path)
