"""Find personal data in citizens' texts, so a moderator sees it before anything is published.

Four detectors, all regular expressions and word lists (no network, no model):

- CPR numbers whose first six digits are a real date;
- Danish phone numbers;
- e-mail addresses;
- a person's name near a health word ("Min far, Jens Nielsen, fik KOL"): health data is a
  special category under GDPR art. 9, and a name next to it is the commonest leak in comments.

They lean towards recall: a moderator dismisses a false flag in a second, but a published CPR
number cannot be taken back.
"""

from __future__ import annotations

import datetime
import enum
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

WORDLISTS = Path(__file__).parent / "wordlists"


class Kind(enum.StrEnum):
    """What kind of personal data a flagged span looks like."""

    CPR = "cpr"
    PHONE = "phone"
    EMAIL = "email"
    HEALTH_NAME = "health_name"


#: When two detectors flag overlapping text, the one earlier here wins.
PRECEDENCE = (Kind.CPR, Kind.EMAIL, Kind.PHONE, Kind.HEALTH_NAME)


@dataclass(frozen=True)
class Flag:
    """A span of text that looks like personal data; ``end`` is exclusive."""

    start: int
    end: int
    kind: Kind


# --- Numbers ------------------------------------------------------------------------------

# Neither preceded nor followed by more digits, or by digits joined with . , / - (amounts such
# as 1.200.000, account numbers 9570-45678912, case numbers 2024-010203).
_CPR = re.compile(r"(?<![\d.,/-])(\d\d)(\d\d)(\d\d)[- ]?\d{4}(?!\d|[.,/-]\d)")

_PHONE = re.compile(
    r"(?<![\w+.,/-])(?<!\d )"
    r"(?:(?:\+|00)45 ?|\(\+?45\) ?)?"
    # Danish numbers start with 2-9. Pairs with optional spaces cover 22334455, 22 33 44 55
    # and 2233 4455; hyphens and dots only in the 22-33-44-55 shape, so 2024-2027 stays a range.
    r"([2-9]\d(?: ?\d\d){3}|[2-9]\d-\d\d-\d\d-\d\d|[2-9]\d\.\d\d\.\d\d\.\d\d)"
    r"(?!\d|[.,/-]\d|\s*(?:kr\b|dkk\b|mio\b|mia\b|%|€|euro\b|,-))",
    re.IGNORECASE,
)

# "2024 2027" is two years, not a phone number.
_TWO_YEARS = re.compile(r"(?:19|20)\d\d (?:19|20)\d\d")

# A number right after these words is a case, invoice, account or registration number.
_REFERENCE_BEFORE = re.compile(
    r"\b(?:sag(?:s\w*|en)?|j|journal\w*|case|ref\w*|cvr\w*|se-n\w*|ean\w*|p-n\w*|faktura\w*"
    r"|invoice\w*|konto\w*|account\w*|reg|ordre\w*|order|kunde\w*|customer|bilag\w*"
    r"|dok(?:ument\w*)?|document\w*)"
    r"\W*(?:(?:nr|no|nummer|number|er|is)\b\W*)*$",
    re.IGNORECASE,
)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)


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


def _find_cpr(text: str) -> list[Flag]:
    """Return the CPR numbers in text."""
    return [
        Flag(m.start(), m.end(), Kind.CPR)
        for m in _CPR.finditer(text)
        if _is_date(int(m[1]), int(m[2]), int(m[3])) and not _is_reference(text, m.start())
    ]


def _find_phones(text: str) -> list[Flag]:
    """Return the Danish phone numbers in text."""
    return [
        Flag(m.start(), m.end(), Kind.PHONE)
        for m in _PHONE.finditer(text)
        if not _TWO_YEARS.fullmatch(m[1]) and not _is_reference(text, m.start())
    ]


def _find_emails(text: str) -> list[Flag]:
    """Return the e-mail addresses in text."""
    return [Flag(m.start(), m.end(), Kind.EMAIL) for m in _EMAIL.finditer(text)]


# --- Names near health words --------------------------------------------------------------


def _read_wordlist(name: str) -> list[str]:
    """Return the entries of a word list: one per line, blank lines and # comments skipped."""
    lines = (WORDLISTS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


FIRST_NAMES = frozenset(_read_wordlist("first_names.txt"))

#: Names that are also everyday words (Hans = his, Per = per, Bo = live, Mark = field,
#: Max 3, Grace). At the start of a sentence they count only when a surname or a verb
#: such as "har"/"has" follows ("Bo har været indlagt", not "Bo i eget hjem").
AMBIGUOUS_NAMES = frozenset(
    {"Hans", "Per", "Bo", "Max", "Mark", "Bent", "Kim", "Kaj", "Tage", "Liv", "Line", "Lone"}
    | {"Bjørn", "Aksel", "Ebbe", "Gry", "Frank", "Bill", "Jack", "Grace"}
    | {"Rose", "Ruby", "Amber", "Daisy", "Holly", "Heather", "Lily", "Poppy", "Carol"}
)
_NAME_VERBS = frozenset(
    {"har", "havde", "er", "var", "fik", "får", "blev", "bliver", "bor", "døde", "ligger"}
    | {"has", "had", "got", "gets", "died"}
)

#: A capitalised word after these is a name even when it is not in the list.
HONORIFICS = frozenset({"hr", "fru", "frk", "herr", "mr", "mrs", "ms", "miss"})
RELATIVES = frozenset(
    {"mor", "far", "mormor", "morfar", "farmor", "farfar", "oldemor", "oldefar", "bedstemor"}
    | {"bedstefar", "søster", "bror", "søn", "datter", "mand", "kone", "hustru", "kæreste"}
    | {"svigermor", "svigerfar", "svoger", "svigerinde", "onkel", "tante", "nevø", "niece"}
    | {"fætter", "kusine", "nabo", "veninde", "ven", "barnebarn", "plejebarn"}
    | {"mother", "father", "mum", "mom", "dad", "sister", "brother", "son", "daughter"}
    | {"husband", "wife", "partner", "friend", "neighbour", "neighbor", "aunt", "uncle"}
    | {"grandmother", "grandfather", "grandma", "grandpa", "grandson", "granddaughter"}
    | {"nephew", "cousin"}
)

#: Before a name these make it a place, a holiday or a professional speaking, not a patient:
#: Sankt Hans, Dronning Ingrids Hjem, overlæge Jens Hansen, sundhedsminister Sophie Løhde.
_NOT_A_PATIENT_BEFORE = frozenset(
    {"sankt", "skt", "sct", "st", "saint", "kong", "dronning", "prins", "prinsesse"}
    | {"king", "queen", "prince", "princess", "dr", "doctor", "nurse", "mayor", "chair"}
    | {"chairman", "director", "professor", "prof"}
)
_TITLE_SUFFIXES = ("læge", "lægen", "minister", "formand", "formanden", "direktør", "direktøren")
_TITLE_SUFFIXES += ("borgmester", "ordfører", "chef", "chefen", "sygeplejerske", "sygeplejersken")
_TITLE_SUFFIXES += ("konsulent", "konsulenten", "professor")

#: After a name these make it a street or an institution: Niels Steensens Vej.
_PLACE_WORDS = frozenset(
    {"Vej", "Gade", "Allé", "Alle", "Plads", "Torv", "Park", "Hospital", "Hospitalet"}
    | {"Sygehus", "Hjem", "Hjemmet", "Skole", "Center", "Centret", "Centre", "Fond", "Fonden"}
    | {"Institut", "Klinik", "Hus", "Huset", "Street", "Road", "Square", "School", "House"}
    | {"Foundation", "Trust", "Home"}
)

#: How many words may stand between a name and a health word in the same sentence. At 6,
#: "Helen was on the waiting list for hip surgery" slipped through; wider windows start to
#: catch speakers ("Henrik fra foreningen holdt et oplæg om demens").
WINDOW = 8


@dataclass(frozen=True)
class _HealthWords:
    """The health word list, split by how each entry matches (see health_words.txt)."""

    prefixes: tuple[str, ...]
    infixes: tuple[str, ...]
    words: frozenset[str]
    abbreviations: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    exclusions: tuple[str, ...]

    @classmethod
    def load(cls) -> _HealthWords:
        """Read health_words.txt."""
        entries = _read_wordlist("health_words.txt")
        plain = [e for e in entries if e[0] not in "~=!" and " " not in e]
        return cls(
            prefixes=tuple(e for e in plain if not e.isupper()),
            infixes=tuple(e[1:] for e in entries if e[0] == "~"),
            words=frozenset(e[1:] for e in entries if e[0] == "="),
            abbreviations=frozenset(e for e in plain if e.isupper()),
            phrases=tuple(tuple(e.split()) for e in entries if " " in e),
            exclusions=tuple(e[1:] for e in entries if e[0] == "!"),
        )

    def matches(self, word: str) -> bool:
        """Return whether one word, or a part of a hyphenated word, is a health word."""
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            if part in self.abbreviations:
                return True
            lower = part.lower()
            if any(x in lower for x in self.exclusions):
                return False
            if (
                lower in self.words
                or lower.startswith(self.prefixes)
                or any(x in lower for x in self.infixes)
            ):
                return True
        return False


HEALTH_WORDS = _HealthWords.load()

# A word: letters, with inner hyphens or apostrophes (Anne-Marie, Parkinson's), and the
# Danish genitive apostrophe after an s (Jens').
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*['’]?")
# The end of a sentence: . ! ? before a word that does not start in lowercase, or a line break.
# The group starts only at the start of a word, so a long run of letters cannot make it quadratic.
_SENTENCE_END = re.compile(r"(?<![^\W\d_])([^\W\d_]*)[.!?]+(?=\s+[^\s\da-zæøå]|\s*$)|\n")
_ABBREVIATIONS = HONORIFICS | {"dr", "st", "skt", "nr", "no", "kr", "ca", "kl", "tlf", "jf", "ref"}
_ABBREVIATIONS |= {"pkt", "evt", "bl", "fx", "mv", "osv", "prof", "dvs", "pr"}
_FOLLOWED_BY_NUMBER = re.compile(r"\.? ?\d")
_POSSESSIVES = frozenset({"min", "mit", "vores", "din", "jeres", "hans", "hendes", "deres"})
_POSSESSIVES |= {"my", "our", "your", "his", "her", "their"}


@dataclass
class _Word:
    """A word of the text with its place in it."""

    start: int
    end: int
    text: str
    sentence: int
    first_in_sentence: bool
    health: bool = False

    @property
    def base(self) -> str:
        """Return the word without a genitive ending: Mettes, Jens', Fatima's."""
        word = self.text.rstrip("'’")
        if word.endswith(("'s", "’s")):
            return word[:-2]
        if word not in FIRST_NAMES and word.endswith("s") and word[:-1] in FIRST_NAMES:
            return word[:-1]
        return word

    @property
    def is_capitalised(self) -> bool:
        """Return whether the word is written like a name: Jensen, Anne-Marie, not KOL."""
        parts = self.base.split("-")
        return all(p[:1].isupper() and (len(p) == 1 or p[1:].islower()) for p in parts)


def _words(text: str) -> list[_Word]:
    """Split text into words, each knowing its sentence."""
    ends = [
        m.end()
        for m in _SENTENCE_END.finditer(text)
        # Not after an abbreviation (hr. Jensen) or an initial (J. Hansen).
        if m[1] is None or (len(m[1]) != 1 and m[1].lower() not in _ABBREVIATIONS)
    ]
    words: list[_Word] = []
    for m in _WORD.finditer(text):
        sentence = bisect_right(ends, m.start())
        first = not words or words[-1].sentence != sentence
        words.append(_Word(m.start(), m.end(), m[0], sentence, first))
    return words


def _mark_health_words(text: str, words: list[_Word]) -> None:
    """Set ``health`` on the words that are health words, in phrases too."""
    for i, word in enumerate(words):
        word.health = HEALTH_WORDS.matches(word.base) and not _is_proper_noun(text, words, i)
    lowered = [w.text.lower() for w in words]
    for *leading, last in HEALTH_WORDS.phrases:
        for i in range(len(words) - len(leading)):
            end = i + len(leading)
            if lowered[i:end] == leading and lowered[end].startswith(last):
                for word in words[i : end + 1]:
                    word.health = True


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    """Return whether only a space separates two words of the same sentence."""
    return left.sentence == right.sentence and text[left.end : right.start] == " "


def _is_proper_noun(text: str, words: list[_Word], i: int) -> bool:
    """Return whether a word is part of a capitalised name (Kræftens Bekæmpelse)."""
    word = words[i]
    if word.first_in_sentence or not word.is_capitalised or i + 1 == len(words):
        return False
    following = words[i + 1]
    return _adjacent(text, word, following) and following.is_capitalised


def _name_start(text: str, words: list[_Word], i: int) -> bool:
    """Return whether words[i] begins a person's name."""
    word = words[i]
    if len(word.base) < 2 or not word.is_capitalised or word.health:
        return False
    if word.text.lower() in HONORIFICS:
        return False  # the name is the word after it
    if _FOLLOWED_BY_NUMBER.match(text, word.end):
        return False  # Max 3, Jan 2024
    before = words[i - 1] if i and words[i - 1].sentence == word.sentence else None
    if before and text[before.end : word.start].strip(" .,") == "":
        lower = before.text.lower()
        if lower in _NOT_A_PATIENT_BEFORE or lower.endswith(_TITLE_SUFFIXES):
            return False
        if lower in HONORIFICS:
            return True
        # "min mor Edel", "our son Oliver"; the possessive keeps out "so far Region ...".
        if lower in RELATIVES and i > 1 and words[i - 2].text.lower() in _POSSESSIVES:
            return True
    if word.base not in FIRST_NAMES and word.base.split("-")[0] not in FIRST_NAMES:
        return False
    if word.base in AMBIGUOUS_NAMES and word.first_in_sentence:
        after = words[i + 1] if i + 1 < len(words) else None
        return (
            after is not None
            and _adjacent(text, word, after)
            and (after.text in _NAME_VERBS or (after.is_capitalised and not after.health))
        )
    return True


def _name_span(text: str, words: list[_Word], i: int) -> tuple[int, int] | None:
    """Return the index range of the name starting at words[i], or None for a place name."""
    end = i + 1
    while end < len(words) and _adjacent(text, words[end - 1], words[end]):
        following = words[end]
        if following.base in _PLACE_WORDS:
            return None
        if (
            end - i > 3
            or not following.is_capitalised
            or following.health
            or len(following.base) < 2
        ):
            break
        end += 1
    return i, end


def _find_health_names(text: str) -> list[Flag]:
    """Return the names of people mentioned within a few words of a health word."""
    words = _words(text)
    _mark_health_words(text, words)
    health = [i for i, w in enumerate(words) if w.health]
    flags: list[Flag] = []
    i = 0
    while i < len(words):
        span = _name_span(text, words, i) if _name_start(text, words, i) else None
        if span is None:
            i += 1
            continue
        first, end = span
        sentence = words[first].sentence
        if any(
            words[h].sentence == sentence
            and (first - WINDOW <= h < first or end <= h < end + WINDOW)
            for h in health
        ):
            flags.append(Flag(words[first].start, words[end - 1].end, Kind.HEALTH_NAME))
        i = end
    return flags


# --- Together -----------------------------------------------------------------------------


def find_personal_data(text: str) -> list[Flag]:
    """Return the spans of text that look like personal data, sorted and not overlapping."""
    found = _find_cpr(text) + _find_emails(text) + _find_phones(text) + _find_health_names(text)
    chosen: list[Flag] = []
    for flag in sorted(found, key=lambda f: (PRECEDENCE.index(f.kind), f.start)):
        if all(flag.end <= c.start or flag.start >= c.end for c in chosen):
            chosen.append(flag)
    return sorted(chosen, key=lambda f: f.start)


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
