"""Every crisis verdict on a fixed set of texts, to check a speed change changes none of them (byte-identical).

Texts: the team's corpora (``tests/data/*.csv``) and disguised variants of their lines (leetspeak, case, markup,
quotes, letters spelled out, look-alike letters: fullwidth, circled, small capitals, Greek and Cyrillic,
mathematical bold), the chat sets, the GoEmotions and C-SSRS samples (``bench/data``), and long mixes of them (600 to
4,000 characters). Each verdict (``repr`` of the ``Detection``) is read by the shipped detector and by one with server
phrases and an allow-list.

    .venv/bin/python bench/crisis_verdicts.py write /tmp/before.txt   # on the old code
    .venv/bin/python bench/crisis_verdicts.py check /tmp/before.txt   # on the new code: exit 1 on any difference
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.crisis import Detector, Severity
from bot.domain.crisis.lexicon import CustomPhrase
from bot.services.crisis import load_lexicon

ROOT = Path(__file__).resolve().parents[1]
_FULLWIDTH = {c: chr(ord(c) - ord("a") + 0xFF41) for c in "abcdefghijklmnopqrstuvwxyz"}
_CIRCLED = {c: chr(ord(c) - ord("a") + 0x24D0) for c in "abcdefghijklmnopqrstuvwxyz"}
_BOLD = {c: chr(ord(c) - ord("a") + 0x1D41A) for c in "abcdefghijklmnopqrstuvwxyz"}
_SMALL = dict(zip("aceghiklmnorstuwy", "ᴀᴄᴇɢʜɪᴋʟᴍɴᴏʀꜱᴛᴜᴡʏ", strict=True))
_GREEK = dict(zip("aeiknoptxy", "αεικηορτχγ", strict=True))
_CYRILLIC = dict(zip("aceopxy", "асеорху", strict=True))


def _texts(path: str) -> list[str]:
    with (ROOT / path).open(encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def _map(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in text.lower())


def _variants(text: str) -> list[str]:
    words = text.split()
    return [
        text.upper(),
        text.replace("i", "1").replace("e", "3").replace("o", "0").replace("a", "@"),
        text.replace("ll", "lll").replace("'", ""),
        text.replace(" ", "_"),
        text.replace("to", "2").replace("want to", "wanna").replace("you", "u"),
        " ".join(words[:1] + [" ".join(w) for w in words[1:2]] + words[2:]),
        text.replace("l", "I"),
        f'he said "{text}" lol',
        f"nice\n> quoted line\n{text}",
        text.replace("e", "*e*"),
        f"{text} 😭💀",
        text.replace("i", "i\u200b"),
        *(_map(text, t) for t in (_FULLWIDTH, _CIRCLED, _BOLD, _SMALL, _GREEK, _CYRILLIC)),
    ]


def _long(parts: list[str], length: int, n: int, step: int) -> list[str]:
    out: list[str] = []
    i = 0
    while len(out) < n:
        chunk: list[str] = []
        while sum(map(len, chunk)) + 2 * len(chunk) < length:
            chunk.append(parts[i % len(parts)])
            i += step
        out.append("\n\n".join(chunk)[:length])
    return out


def texts() -> list[str]:
    corpus = [
        t
        for n in ("crisis_corpus", "crisis_holdout", "crisis_holdout2")
        for t in _texts(f"tests/data/{n}.csv")
    ]
    chat_sets = _texts("tests/data/chat_tuning.csv") + _texts("tests/data/chat_heldout.csv")
    chat = _texts("bench/data/goemotions_sample.csv")
    posts = _texts("bench/data/cssrs_posts_sample.csv")
    mixed = [x for pair in zip(chat[:2000], (corpus + chat_sets) * 2, strict=False) for x in pair]
    out = corpus + chat_sets + chat + posts
    out += [v for t in corpus + chat_sets for v in _variants(t)]
    for length in (700, 1500, 4000, 5000):
        out += _long(posts, length, 60, 7) + _long(mixed, length, 60, 3) + _long(chat, length, 20, 1)
    out += [p.replace(". ", ".") for p in posts[:100]] + [p.replace(" ", "  ") for p in posts[:100]]
    return out


def detectors() -> list[Detector]:
    lexicon = load_lexicon()
    custom = [
        CustomPhrase("vanish forever", Severity.HIGH),
        CustomPhrase("unalive*", Severity.HIGH),
        CustomPhrase("*sewerslide*", Severity.MODERATE),
    ]
    return [Detector(lexicon), Detector(lexicon, custom, ["kill me now"])]


def verdicts() -> list[str]:
    all_texts = texts()
    return [
        f"{d}|{i}|{det.detect(t)!r}" for d, det in enumerate(detectors()) for i, t in enumerate(all_texts)
    ]


def main(argv: list[str]) -> int:
    mode, path = argv[1], Path(argv[2])
    lines = verdicts()
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    if mode == "write":
        path.write_text("\n".join(lines), encoding="utf-8")
        print(f"{len(lines)} verdicts, sha256 {digest[:16]}")
        return 0
    before = path.read_text(encoding="utf-8").split("\n")
    diff = [(a, b) for a, b in zip(before, lines, strict=True) if a != b]
    for a, b in diff[:10]:
        print(f"- {a[:300]}\n+ {b[:300]}")
    found = sum("severity=<" in x for x in lines)
    print(f"{len(lines)} verdicts ({found} with a severity), {len(diff)} differ, sha256 {digest[:16]}")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
