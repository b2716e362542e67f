"""Compare language detectors on the labelled multilingual set (messages of 3+ words).

    .venv/bin/python bench/language_detectors.py

py3langid (what `core.language` uses) and lingua-language-detector (high- and
low-accuracy modes), each restricted to the twelve shipped languages; lingua is not a
dependency (`.venv/bin/pip install lingua-language-detector` to include it).
Prints accuracy, the worst language, time per message and the resident memory the
detector added.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.multilingual_set import rows
from core.language_settings import SHIPPED


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lingua_detector(low: bool) -> Callable[[str], str] | None:
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    except ImportError:
        return None

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in SHIPPED]
    builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
    detector = (builder.with_low_accuracy_mode() if low else builder).build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else "und"
    return detect


def langid_detector() -> Callable[[str], str] | None:
    try:
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    except ImportError:
        return None
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(SHIPPED))

    def detect(text: str) -> str:
        return str(identifier.classify(text)[0])
    return detect


MAKERS: dict[str, Callable[[], Callable[[str], str] | None]] = {
    "lingua (high accuracy)": lambda: lingua_detector(low=False),
    "lingua (low accuracy)": lambda: lingua_detector(low=True),
    "py3langid": langid_detector,
}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        measure(sys.argv[2])
        return
    print(f"{sum(r.words >= 3 for r in rows())} messages of 3+ words, {len(SHIPPED)} languages")
    for name in MAKERS:  # one process each, so each memory figure starts from the same base
        subprocess.run([sys.executable, __file__, "--one", name], check=True)


def measure(name: str) -> None:
    data = [r for r in rows() if r.words >= 3]
    make = MAKERS[name]
    before = _rss_mb()
    detect = make()
    if detect is None:
        print(f"{name}: not installed")
        return
    grown = _rss_mb() - before
    times, hits = [], {}
    for row in data:
        start = time.perf_counter()
        code = detect(row.text)
        times.append((time.perf_counter() - start) * 1000)
        ok, total = hits.get(row.language, (0, 0))
        hits[row.language] = (ok + (code == row.language), total + 1)
    right = sum(ok for ok, _ in hits.values())
    worst = min(hits, key=lambda c: hits[c][0] / hits[c][1])
    print(f"{name}: accuracy {right / len(data):.3f}; worst {worst} "
          f"{hits[worst][0] / hits[worst][1]:.3f}; p50 {statistics.median(times):.2f} ms, "
          f"max {max(times):.2f} ms; max RSS grew {grown:.0f} MB")


if __name__ == "__main__":
    main()
