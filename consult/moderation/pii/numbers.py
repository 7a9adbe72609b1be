"""CPR numbers, Danish phone numbers and e-mail addresses: regular expressions and checks."""

from __future__ import annotations

import datetime
import re

from consult.moderation.pii.flags import Flag
from consult.moderation.pii.flags import Kind

# --- CPR ------------------------------------------------------------------------------------

# DDMMYY-NNNN, written 0101901234, 010190-1234, 010190 1234, 010190 - 1234, 010190–1234,
# 01 01 90 1234, 01-01-90-1234 or 0101 90 1234. Neither preceded nor followed by more digits,
# or by digits joined with . , / - (amounts such as 1.200.000, account numbers 9570-45678912,
# case numbers 2024-010203). No modulus-11 check: numbers issued since 2007 need not pass it.
# The date must be real.
_CPR = re.compile(
    r"(?<![\d.,/+-])(\d\d)[ .-]?(\d\d)[ .-]?(\d\d)(?: ?[-–] ?| )?\d{4}(?!\d|[.,/-]\d)"
)

# --- Phones ---------------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+.,/-])(?<!\d )"
    r"((?:\+|00)45[ -]?|\((?:\+|00)?45\) ?)?"
    # Eight digits: in pairs with optional spaces (22334455, 22 33 44 55, 2233 4455), or in
    # pairs joined by hyphens or dots (22-33-44-55), or as two fours with a hyphen (2233-4455).
    r"([1-9]\d(?: ?\d\d){3}|[1-9]\d([-.])\d\d\3\d\d\3\d\d|[1-9]\d{3}[-–]\d{4})"
    r"(?!\d|[.,/-]\d|\s*(?:kr\b|dkk\b|mio\b|mia\b|%|€|euro\b|,-))",
    re.IGNORECASE,
)
# 2233-4455 looks like a range (2024-2027, postcodes 2600-2690) and 12345678 like any number;
# they count only with +45 or a word such as "tlf." or "ring" just before them.
_RANGE_SHAPE = re.compile(r"\d{4}[-–]\d{4}")
# "2024 2027" is two years, not a phone number.
_TWO_YEARS = re.compile(r"(?:19|20)\d\d[ -–](?:19|20)\d\d")
_PHONE_CUE = re.compile(
    r"\b(?:tlf|tel|telefon\w*|mobil\w*|fastnet\w*|ring\w*|sms|nummer|phone\w*|call|number)\b"
    r"[^\d\n]{0,25}$",
    re.IGNORECASE,
)

# A number right after these words is a case, invoice, account or registration number.
_REFERENCE_BEFORE = re.compile(
    r"\b(?:sag(?:s\w*|en)?|j|journal\w*|case|ref\w*|cvr\w*|se-n\w*|ean\w*|p-n\w*|faktura\w*"
    r"|invoice\w*|konto\w*|account\w*|reg|ordre\w*|order|kunde\w*|customer|bilag\w*"
    r"|dok(?:ument\w*)?|document\w*)"
    r"\W*(?:(?:nr|no|nummer|number|er|is)\b\W*)*$",
    re.IGNORECASE,
)

# --- E-mail ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
# Spelled out to dodge spam robots: jens(at)example.dk, mette [at] example [dot] dk.
_AT = r"\s?[\[(]\s?(?:at|snabel-a)\s?[\])]\s?"
_DOT = r"(?:\.|\s?[\[(]\s?(?:dot|punktum)\s?[\])]\s?)"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}[a-z]{{2,}}\b", re.IGNORECASE
)
_SPELLED_AT = re.compile(r"[\[(]\s?(?:at|snabel-a)\s?[\])]", re.IGNORECASE)


def _is_date(day: int, month: int, year: int) -> bool:
    """Return whether day, month and a two-digit year are a calendar date in 19yy or 20yy."""
    for century in (1900, 2000):
        try:
            datetime.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def _is_reference(text: str, start: int) -> bool:
    """Return whether the number at ``start`` is labelled as a case or account number."""
    return _REFERENCE_BEFORE.search(text[max(0, start - 40) : start]) is not None


def find_cpr(text: str) -> list[Flag]:
    """Return the CPR numbers in text."""
    return [
        Flag(m.start(), m.end(), Kind.CPR)
        for m in _CPR.finditer(text)
        if _is_date(int(m[1]), int(m[2]), int(m[3])) and not _is_reference(text, m.start())
    ]


def _is_phone(text: str, match: re.Match) -> bool:
    """Return whether a number shaped like a phone number is one."""
    number = match[2]
    if _TWO_YEARS.fullmatch(number) or _is_reference(text, match.start()):
        return False
    if match[1] or _PHONE_CUE.search(text[max(0, match.start() - 40) : match.start()]):
        return True
    if _RANGE_SHAPE.fullmatch(number):
        return False
    # Danish numbers start with 2-9; a leading 1 counts when written like a phone number.
    return number[0] != "1" or not number.isdigit()


def find_phones(text: str) -> list[Flag]:
    """Return the Danish phone numbers in text."""
    return [
        Flag(m.start(), m.end(), Kind.PHONE) for m in _PHONE.finditer(text) if _is_phone(text, m)
    ]


def find_emails(text: str) -> list[Flag]:
    """Return the e-mail addresses in text, spelled-out ones too."""
    found = []
    if "@" in text:
        found += [Flag(m.start(), m.end(), Kind.EMAIL) for m in _EMAIL.finditer(text)]
    if _SPELLED_AT.search(text):
        found += [Flag(m.start(), m.end(), Kind.EMAIL) for m in _SPELLED_EMAIL.finditer(text)]
    return found
