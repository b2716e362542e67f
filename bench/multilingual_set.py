"""The labelled multilingual set in bench/multilingual/<language>.yaml, as rows.

Each row: language, kind, text, human (whether it asks for a person), words.
Kinds are described at the top of bench/multilingual/en.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from core.language import word_count

DIR = Path(__file__).with_name("multilingual")
HELDOUT = Path(__file__).with_name("multilingual-heldout")
FRESH = Path(__file__).with_name("multilingual-fresh")
ROUND4 = Path(__file__).with_name("multilingual-round4")
ROUND5 = Path(__file__).with_name("multilingual-round5")
ROUND6 = Path(__file__).with_name("multilingual-round6")
ROUND7 = Path(__file__).with_name("multilingual-round7")
ROUND8 = Path(__file__).with_name("multilingual-round8")
# Written only to train the human-request model (`bench/train_human_model.py`). The
# shipped model is trained on a to f; docs/quality.md says why g and h are not in it.
TRAINING = tuple(Path(__file__).with_name(f"multilingual-train-{x}") for x in "abcdef")
HUMAN_KINDS = ("human", "indirect", "typo", "short_human", "angry_human")


@dataclass(frozen=True)
class Row:
    language: str
    kind: str
    text: str
    human: bool
    words: int


def rows(directory: Path = DIR) -> list[Row]:
    """Every labelled message in `directory`, language by language in file-name order."""
    out: list[Row] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind, texts in data.items():
            base = kind.split("_more")[0]  # a later round of the same kind
            out.extend(Row(path.stem, base, text, base in HUMAN_KINDS, word_count(text))
                       for text in texts)
    return out
