"""Mask personal data in raw input before an audience that may not see it reads it.

Staff read the full text, but never a CPR number (``mask_cpr``); a meeting's participants
and the projector read no personal data at all (``mask_personal``). Both use the
personal-data guard (``consult.moderation.pii``); what it flags is replaced by ``MASK``.

A staff export can hold a million texts and the guard's name detector reads every word, so
``mask_cpr`` first asks a precompiled pattern whether the text holds ten digits close together
at all: almost no text does, and those are done in microseconds.
"""

from __future__ import annotations

import re

from consult.moderation import pii

#: What stands where personal data was (the same in every language).
MASK = "[…]"

#: A digit, eight or more digits, spaces, dots or hyphens, and a digit: it matches wherever ten
#: digits stand with at most one separator between any two, so every way of writing a CPR
#: number the guard knows (230831-1457, 2308311457, 230831 1457) and more. A text without it
#: holds no CPR number. (Simpler than spelling out "ten digits", and twice as fast.)
_MAYBE_CPR = re.compile(r"\d[\d .-]{8,}\d")


def _masked(text: str, flags: list[pii.Flag], mask: str = MASK) -> str:
    if not flags:
        return text
    out, at = [], 0
    for flag in sorted(flags, key=lambda f: f.start):
        if flag.start < at:
            continue  # overlapping flags: the first one already covers it
        out += [text[at : flag.start], mask]
        at = flag.end
    out.append(text[at:])
    return "".join(out)


def could_hold_cpr(text: str) -> bool:
    """Whether ``text`` may hold a CPR number at all (a quick pattern; the guard decides)."""
    return _MAYBE_CPR.search(text) is not None


def mask_cpr(text: str | None, mask: str = MASK) -> str:
    """Return ``text`` with every CPR number the guard finds replaced by ``mask``."""
    if not text or not could_hold_cpr(text):
        return text or ""
    flags = [f for f in pii.find_personal_data(text) if f.kind is pii.Kind.CPR]
    return _masked(text, flags, mask)


def mask_personal(text: str | None) -> str:
    """Return ``text`` with everything the guard flags (CPR, phone, e-mail, name with health
    details) replaced by ``MASK``."""
    if not text:
        return ""
    return _masked(text, pii.find_personal_data(text))
