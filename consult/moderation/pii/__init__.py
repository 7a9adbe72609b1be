"""Find personal data in citizens' texts, so a moderator sees it before anything is published.

Four detectors, all regular expressions and word lists (no network, no model):

- CPR numbers whose first six digits are a real date (``numbers.py``);
- Danish phone numbers, with or without +45 (``numbers.py``);
- e-mail addresses, spelled-out ones too (``numbers.py``);
- a person's name near a health word ("Min far, Jens Nielsen, fik KOL"): health data is a
  special category under GDPR art. 9, and a name next to it is the commonest leak in comments
  (``names.py``, with the word lists in ``moderation/wordlists``).

They lean towards recall: a moderator dismisses a false flag in a second, but a published CPR
number cannot be taken back. They run on every saved input and on staff exports, so the
expressions are compiled and the word lists read once, at import.

``bench/pii.py`` prints precision and recall per kind on ``tests/data/personal_data.jsonl``
and the throughput; ``tests/moderation/test_pii.py`` holds the floors.
"""

from __future__ import annotations

from bisect import bisect_right

from consult.moderation.pii.flags import PRECEDENCE
from consult.moderation.pii.flags import Flag
from consult.moderation.pii.flags import Kind
from consult.moderation.pii.names import find_health_names
from consult.moderation.pii.numbers import find_cpr
from consult.moderation.pii.numbers import find_emails
from consult.moderation.pii.numbers import find_phones

__all__ = ["PRECEDENCE", "Flag", "Kind", "find_personal_data", "highlight"]

_RANK = {kind: rank for rank, kind in enumerate(PRECEDENCE)}


def find_personal_data(text: str) -> list[Flag]:
    """Return the spans of text that look like personal data, sorted and not overlapping."""
    found = find_cpr(text) + find_emails(text) + find_phones(text) + find_health_names(text)
    if len(found) < 2:
        return found
    chosen: list[Flag] = []  # sorted by start, none overlapping
    starts: list[int] = []
    for flag in sorted(found, key=lambda f: (_RANK[f.kind], f.start)):
        k = bisect_right(starts, flag.start)
        overlaps_before = k > 0 and chosen[k - 1].end > flag.start
        overlaps_after = k < len(chosen) and chosen[k].start < flag.end
        if overlaps_before or overlaps_after:
            continue
        chosen.insert(k, flag)
        starts.insert(k, flag.start)
    return chosen


def highlight(text: str, flags: list[Flag]) -> list[tuple[str, Kind | None]]:
    """Split text into consecutive segments, each plain (None) or flagged with its kind."""
    segments: list[tuple[str, Kind | None]] = []
    position = 0
    for flag in sorted(flags, key=lambda f: f.start):
        if flag.start < position:
            continue  # overlaps the previous flag; find_personal_data never returns these
        if flag.start > position:
            segments.append((text[position : flag.start], None))
        segments.append((text[flag.start : flag.end], flag.kind))
        position = flag.end
    if position < len(text):
        segments.append((text[position:], None))
    return segments
