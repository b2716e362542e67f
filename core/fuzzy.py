"""Typo repair for trigger matching: "hunan agent" -> "human agent", "tospeak" -> "to speak".

Customers misspell exactly the words the triggers look for. Before matching,
each word one edit (insertion, deletion, substitution or swap of neighbours)
away from a key word of at least five letters becomes that key word, short
key words have an explicit typo table, and a key word glued to "to" or "with"
is split off. Real words that happen to be one edit from a key word
(`NOT_TYPOS`) are left alone. In every shipped language, a word whose start is one
edit from a person/contact/want stem is repaired too (`repair_stem`: "mitarbieter").
Pure; never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.phrasebook import triggers


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KEY_WORDS = _words(
    "speak speaking talk talking chatting contact contacting contacted connect transfer "
    "direct agent agents human humans person people persons somebody someone operator "
    "assistant representative manager supervisor customer service account accounts delete "
    "deleting deletion close closing remove removing removal cancel canceling cancelling "
    "cancellation cancelation refund refunds refunded reimbursement compensation complaint "
    "complaints reclamation payment payments hacked unauthorized lawyer claim claims"
)
SHORT_TYPOS = {
    "wiht": "with", "witth": "with", "wtih": "with", "wih": "with", "wit": "with", "wth": "with",
    "tto": "to", "ot": "to", "chta": "chat", "caht": "chat", "cht": "chat", "tlak": "talk",
    "tak": "talk", "talkk": "talk", "huamn": "human",
}
NOT_TYPOS = _words(
    "chose those clone sneak cancer argent spent agency people's persona counted consent "
    "contract contracts contacts closer closet refused refine refined deleted closed removed "
    "payments accounts humane humanly manger manners hacker hackers"
    # The same words in other languages: Spanish, Portuguese, Italian, French, Dutch.
    " agente agentes humano humanos humana humanas humain humaine humains operador persone"
    " persoon personne"
)
GLUE = ("to", "with", "wit")
_WORD = re.compile(r"[A-Za-z]+")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


_INDEX: dict[str, set[str]] = {}
for _key in KEY_WORDS:
    for _form in {_key, *_deletes(_key)}:
        _INDEX.setdefault(_form, set()).add(_key)


def _one_edit(a: str, b: str) -> bool:
    """Damerau distance exactly <= 1 between `a` and `b`."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@lru_cache(maxsize=65536)
def repair_word(word: str) -> str:
    """The key word `word` is a typo of, or `word` unchanged (lowercased when repaired)."""
    lower = word.lower()
    if lower in KEY_WORDS or lower in NOT_TYPOS or len(lower) < 3:
        return word
    if lower in SHORT_TYPOS:
        return SHORT_TYPOS[lower]
    for glue in GLUE:
        rest = lower[len(glue):]
        if lower.startswith(glue) and len(rest) >= 4:
            fixed = rest if rest in KEY_WORDS else _closest(rest)
            if fixed:
                return f"{glue} {fixed}"
    if len(lower) < 4:
        return word
    return _closest(lower) or word


def _closest(lower: str) -> str | None:
    candidates: set[str] = set()
    for form in {lower, *_deletes(lower)}:
        candidates |= _INDEX.get(form, set())
    # A word that only adds or drops a last letter ("charge", "charged") is an
    # inflection the patterns already handle, not a typo.
    hits = sorted(
        k for k in candidates
        if len(k) >= 5 and _one_edit(lower, k)
        and not (len(lower) >= 5 and (k.startswith(lower) or lower.startswith(k)))
    )
    return hits[0] if hits else None


# A short verb right before "to/with (a) person" is a typo of talk/chat/speak when it is
# one edit away ("taok to an agent", "cat with a person"): too short to repair on its own,
# where "cat" and "tak" are words or names, but the phrase leaves no other reading.
CONTACT_VERBS = ("talk", "chat", "speak")
_BEFORE_SOMEONE = re.compile(
    r"\b([A-Za-z]{2,6})(\s+(?:to|with)\s+(?:an?\s+|the\s+|some\s+)?(?:real\s+|live\s+)?"
    r"(?:agent|person|human|representative|operator|someone|somebody|people)\b)", re.I)


# Common words one edit from a contact verb: "I explained that to an agent" stays as it is.
NOT_VERB_TYPOS = _words("that what walk tall tale task tack chap char chit hat chai speck "
                        "spear steak sneak")


def _contact_verb(match: re.Match[str]) -> str:
    word = match.group(1).lower()
    if word in CONTACT_VERBS or word in KEY_WORDS or word in NOT_VERB_TYPOS:
        return match.group(0)
    verb = next((v for v in CONTACT_VERBS if _one_edit(word, v)), None)
    return (verb + match.group(2)) if verb else match.group(0)


def repair(text: str) -> str:
    """`text` with typos of key words and of language stems (`repair_stem`) repaired;
    everything else is kept as it was."""
    text = _BEFORE_SOMEONE.sub(_contact_verb, _WORD.sub(lambda m: repair_word(m.group(0)), text))
    return _LETTERS.sub(lambda m: repair_stem(m.group(0)), text)


# Every shipped language's person, contact and want words as stems ("mitarbeiter",
# "konsultant"): a longer word one edit from a stem's start ("mitarbieter",
# "konsultatem") is that stem with the word's own ending, so inflected typos meet the
# composed request patterns (`core.phrasebook.Triggers.composed`). A stem is an entry's
# letters before any pattern syntax ("operat" of "operat(?:ore|rice)"); six letters at
# least, as shorter ones are too close to other words.
_LETTERS = re.compile(r"[^\W\d_]+")
_ENTRIES = tuple(e for found in triggers().values()
                 for e in (*found.person, *found.contact, *found.want))
STEMS = frozenset(m.group(0).lower() for m in map(_LETTERS.match, _ENTRIES)
                  if m is not None and len(m.group(0)) >= 6)
# A word that already starts like an entry of any language is heard as it is, not
# repaired to another language's stem ("parler" stays, although one edit from "parlar").
_KNOWN = re.compile("|".join(f"(?:{e})" for e in _ENTRIES), re.IGNORECASE)
_STEM_INDEX: dict[str, set[str]] = {}
for _stem in STEMS:
    for _form in {_stem, *_deletes(_stem)}:
        _STEM_INDEX.setdefault(_form, set()).add(_stem)


@lru_cache(maxsize=65536)
def repair_stem(word: str) -> str:
    """`word` with its start repaired to a language stem it is one edit from, or unchanged."""
    lower = word.lower()
    if len(lower) < 6 or lower in NOT_TYPOS or lower in KEY_WORDS \
            or any(lower.startswith(s) or s.startswith(lower) for s in STEMS) \
            or _KNOWN.match(lower):
        return word
    for cut in range(len(lower), 5, -1):
        head = lower[:cut]
        found = set()
        for form in {head, *_deletes(head)}:
            found |= _STEM_INDEX.get(form, set())
        # An edit at the first or last letter is more often another word than a typo
        # ("niemand" is not "iemand", "parlando" not "parlar-do").
        hits = sorted(s for s in found if _one_edit(head, s) and not s.startswith(head)
                      and 0 < _first_difference(head, s) < len(s) - 1)
        if hits:
            return hits[0] + lower[cut:]
    return word


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                min(len(a), len(b)))

