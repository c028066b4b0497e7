"""Crisis detection figures: throughput and added cost per message, memory for many servers, message to card.

Targets (issue: crisis detection): with the full lexicon plus 1,000 custom phrases, at least 100,000 typical chat
messages a second on one core and a median added cost under 10 microseconds per non-matching message; 1,000 servers
with 1,000 custom phrases each under 200 MB; message received to alert card sent under 50 ms median with a local
simulated Discord. Each figure is printed beside a naive baseline measured in the same run.

    .venv/bin/python bench/bench_crisis.py [--quick] [--latency]   (--latency: message -> card only)
"""

from __future__ import annotations

import asyncio
import gc
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.crisis import CustomPhrase, Detector, Severity, phrase_tokens
from bot.services.crisis import load_lexicon

WORDS = [
    "the",
    "a",
    "i",
    "you",
    "we",
    "they",
    "it",
    "is",
    "was",
    "are",
    "be",
    "have",
    "had",
    "do",
    "did",
    "not",
    "and",
    "but",
    "so",
    "if",
    "then",
    "just",
    "really",
    "very",
    "lol",
    "lmao",
    "ok",
    "okay",
    "yeah",
    "no",
    "yes",
    "maybe",
    "game",
    "play",
    "played",
    "match",
    "win",
    "won",
    "lost",
    "team",
    "stream",
    "watch",
    "movie",
    "show",
    "episode",
    "song",
    "music",
    "album",
    "school",
    "class",
    "homework",
    "exam",
    "test",
    "study",
    "teacher",
    "work",
    "job",
    "boss",
    "meeting",
    "coffee",
    "tea",
    "lunch",
    "dinner",
    "pizza",
    "food",
    "cook",
    "weekend",
    "today",
    "tomorrow",
    "tonight",
    "morning",
    "night",
    "sleep",
    "tired",
    "happy",
    "sad",
    "excited",
    "nervous",
    "proud",
    "thanks",
    "thank",
    "please",
    "sorry",
    "cat",
    "dog",
    "pet",
    "walk",
    "run",
    "gym",
    "rain",
    "sun",
    "weather",
    "server",
    "channel",
    "emoji",
    "meme",
    "picture",
    "art",
    "draw",
    "paint",
    "book",
    "read",
    "friend",
    "friends",
    "family",
    "mom",
    "dad",
    "sister",
    "brother",
    "call",
    "text",
    "message",
    "post",
    "reply",
    "update",
    "news",
    "weekend",
    "plans",
    "trip",
]
EMOJI = ["😂", "🙂", "😭", "❤️", "👍", "🎮", "☕", "🐱", "✨", "😅"]


def chat_messages(n: int, rng: random.Random) -> list[str]:
    """Typical chat lines: 2 to 25 words, some emoji, some mentions and links."""
    out: list[str] = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(2, 25))]
        if rng.random() < 0.3:
            words.append(rng.choice(EMOJI))
        if rng.random() < 0.1:
            words.insert(0, f"<@{rng.randint(10**17, 10**18)}>")
        if rng.random() < 0.05:
            words.append("https://example.org/thing")
        text = " ".join(words)
        out.append(text.capitalize() if rng.random() < 0.5 else text)
    return out


def custom_phrases(n: int, rng: random.Random) -> list[CustomPhrase]:
    """Server phrases: mostly 1-3 made-up words, some with wildcards."""
    syllables = ["zor", "vex", "ka", "lum", "tri", "pho", "gra", "nel", "dus", "kir", "mo", "sef"]
    phrases = []
    for i in range(n):
        words = [
            "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))) for _ in range(rng.randint(1, 3))
        ]
        text = " ".join(words)
        if i % 10 == 0:
            text += "*"
        elif i % 10 == 1:
            text = "*" + text
        phrases.append(CustomPhrase(text, rng.choice([Severity.MODERATE, Severity.HIGH])))
    return phrases


def naive_regexes(detector_phrases: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(r"\b" + re.escape(p) + r"\b") for p in detector_phrases]


def throughput(quick: bool) -> list[tuple[str, str, str, str]]:
    rng = random.Random(7)
    lexicon = load_lexicon()
    custom = custom_phrases(1000, rng)
    detector = Detector(lexicon, custom)
    messages = chat_messages(20_000 if quick else 100_000, rng)
    crisis = sum(detector.detect(m).alert for m in messages)
    assert crisis == 0, "the synthetic chat should be harmless"

    start = time.perf_counter()
    for message in messages:
        detector.detect(message)
    ours = len(messages) / (time.perf_counter() - start)

    per_message: list[float] = []
    for message in messages[:20_000]:
        t0 = time.perf_counter_ns()
        detector.detect(message)
        per_message.append((time.perf_counter_ns() - t0) / 1000)

    phrases = [e.phrase.lower() for e in lexicon.entries] + [c.text.strip("*") for c in custom]
    regexes = naive_regexes(phrases)
    sample = messages[:2000]
    start = time.perf_counter()
    for message in sample:
        lowered = message.lower()
        any(r.search(lowered) for r in regexes)
    naive = len(sample) / (time.perf_counter() - start)
    naive_each: list[float] = []
    for message in sample[:500]:
        t0 = time.perf_counter_ns()
        lowered = message.lower()
        any(r.search(lowered) for r in regexes)
        naive_each.append((time.perf_counter_ns() - t0) / 1000)
    return [
        (
            f"messages/second, lexicon ({len(lexicon.entries)}) + 1,000 phrases",
            ">= 100,000",
            f"{ours:,.0f}",
            f"{naive:,.0f} (loop over {len(regexes):,} compiled regexes)",
        ),
        (
            "added cost per non-matching message (median / p99)",
            "< 10 us",
            f"{statistics.median(per_message):.1f} / {sorted(per_message)[int(len(per_message) * 0.99)]:.1f} us",
            f"{statistics.median(naive_each):.1f} / {sorted(naive_each)[int(len(naive_each) * 0.99)]:.1f} us",
        ),
    ]


def memory(quick: bool) -> list[tuple[str, str, str, str]]:
    servers = 100 if quick else 1000
    rng = random.Random(11)
    lexicon = load_lexicon()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.take_snapshot()
    detectors = [Detector(lexicon, custom_phrases(1000, rng)) for _ in range(servers)]
    gc.collect()
    used = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(base, "filename"))
    tracemalloc.stop()
    raw = sum(len(p.text) for d in detectors[:1] for p in custom_phrases(1000, random.Random(1))) * servers
    del detectors
    scaled = used * (1000 / servers)
    return [
        (
            f"memory, {servers:,} servers x 1,000 phrases" + (" (scaled to 1,000)" if quick else ""),
            "< 200 MB",
            f"{scaled / 1e6:,.0f} MB",
            f"{raw * (1000 / servers) / 1e6:,.0f} MB of raw phrase text",
        )
    ]


async def latency(quick: bool) -> list[tuple[str, str, str, str]]:
    import discord
    import simcord

    from bot.storage import migrate
    from bot.storage.crypto import Keyring, generate_key
    from bot.storage.engine import Database
    from bot.wiring import build_bot

    rounds = 30 if quick else 200
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(f"sqlite+aiosqlite:///{tmp}/bench.db", connect_timeout=1)
        db.use_keyring(Keyring.from_text(generate_key()))  # excerpts are encrypted at rest, as in Haven
        await migrate.upgrade(db)
        bot = build_bot(db)
        async with simcord.run(bot, settle_timeout=60) as env:
            guild = env.create_guild()
            general = guild.create_text_channel("general")
            alerts = guild.create_text_channel("alerts")
            mods = guild.create_role(
                "Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True
            )
            mod = guild.add_member(env.create_user("mod"), roles=[mods])
            await mod.slash(general, "setup alerts", channel=alerts, role=mods)
            members = [guild.add_member(env.create_user(f"m{i}")) for i in range(rounds)]
            card_times: list[float] = []
            plain_times: list[float] = []
            delivery = bot.get_cog("CrisisCog").delivery  # type: ignore[union-attr]
            send_card = delivery._send_card
            card_sent_at: list[float] = []
            card_sent = asyncio.Event()

            async def timed_send_card(*args: object) -> object:
                outcome = await send_card(*args)
                card_sent_at.append(time.perf_counter())
                card_sent.set()
                return outcome

            delivery._send_card = timed_send_card

            def cards() -> int:  # re-pings of unclaimed alerts (after a minute) are in the channel too
                return sum(1 for m in alerts.history() if m.embeds)

            for member in members:
                before = cards()
                t0 = time.perf_counter()
                await member.send(general, "i want to kill myself")
                # simcord settles when the loop is idle; a send still waiting on the database in a thread can
                # come just after, so wait for the card itself
                if cards() == before:
                    await asyncio.wait_for(card_sent.wait(), 30)
                card_sent.clear()
                card_times.append((card_sent_at[-1] - t0) * 1000)
                assert cards() == before + 1
                t0 = time.perf_counter()
                await member.send(general, "good morning everyone, coffee time")
                plain_times.append((time.perf_counter() - t0) * 1000)
        await bot.close_resources()
    return [
        (
            f"message received -> alert card sent, simcord ({rounds} alerts, median / p95)",
            "< 50 ms",
            f"{statistics.median(card_times):.1f} / {sorted(card_times)[int(len(card_times) * 0.95)]:.1f} ms",
            f"{statistics.median(plain_times):.1f} / {sorted(plain_times)[int(len(plain_times) * 0.95)]:.1f} ms "
            "(simcord settling a harmless message, end to end)",
        )
    ]


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"Python {sys.version.split()[0]} on {sys.platform}{' (quick)' if quick else ''}")
    if "--latency" in sys.argv:  # message -> card only (the delivery figure of issue #12)
        rows = asyncio.run(latency(quick))
    else:
        rows = throughput(quick) + memory(quick) + asyncio.run(latency(quick))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'target':<11} {'Haven':<18} baseline")
    for name, target, ours, base in rows:
        print(f"{name:<{width}}  {target:<11} {ours:<18} {base}")
    _ = phrase_tokens


if __name__ == "__main__":
    main()
