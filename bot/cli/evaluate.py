"""``python -m bot crisis-eval``: measure the detector on a labelled CSV."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.cli.common import EXIT_CONFIG, EXIT_OK
from bot.errors import DomainError
from bot.i18n import Catalogs
from bot.wiring import shipped_lexicon


def not_utf8(path: str, data: bytes, exc: UnicodeDecodeError) -> str:
    """Which encoding is expected, and where the file stops being it."""
    line = data.count(b"\n", 0, exc.start) + 1
    return (
        f"Can't read {path}: it must be UTF-8 text, but byte {exc.start} (0x{data[exc.start]:02x}, line {line}) "
        "isn't UTF-8. Save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8') and try again."
    )


def crisis_eval(path: str, *, as_json: bool) -> int:
    """Evaluate the detector with default server settings on a labelled CSV. Needs no settings or database."""
    import json

    from bot.domain.alerts import should_ping
    from bot.domain.crisis import Detector
    from bot.domain.crisis_eval import evaluate, format_report, read_examples

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        print(f"Can't read {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        print(not_utf8(path, data, exc), file=sys.stderr)
        return EXIT_CONFIG
    catalogs = Catalogs.load()
    try:
        examples = read_examples(text)
    except DomainError as exc:
        print(catalogs.text(exc.key, None, **exc.params), file=sys.stderr)
        return EXIT_CONFIG
    detector = Detector(shipped_lexicon())

    def predict(message: str) -> tuple[bool, str, bool]:
        detection = detector.detect(message)
        pinged = detection.severity is not None and should_ping(detection.severity)
        return detection.is_crisis, "; ".join(detection.explain()), pinged

    report = evaluate(examples, predict)
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else format_report(report))
    return EXIT_OK
