"""A person's name near a health word ("Min far, Jens Nielsen, fik KOL"): word lists and rules.

Each distinct word is looked up once (``_lexeme`` is cached), and only sentences that hold a
health word are searched for names, so the common text with no health word costs one pass.
"""

from __future__ import annotations

import enum
import functools
import re
from bisect import bisect_left
from bisect import bisect_right
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from consult.moderation.pii.flags import Flag
from consult.moderation.pii.flags import Kind

WORDLISTS = Path(__file__).parent.parent / "wordlists"


def _read_wordlist(name: str) -> list[str]:
    """Return the entries of a word list: one per line, blank lines and # comments skipped."""
    lines = (WORDLISTS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class _Vocabulary:
    """Lowercase words matched whole, and endings of compounds (entries written ``~ending``)."""

    words: frozenset[str]
    endings: tuple[str, ...]

    @classmethod
    def load(cls, name: str) -> _Vocabulary:
        entries = _read_wordlist(name)
        return cls(
            words=frozenset(e.lstrip("~") for e in entries),
            endings=tuple(e[1:] for e in entries if e.startswith("~")),
        )

    def __contains__(self, lower: str) -> bool:
        return lower in self.words or lower.endswith(self.endings)


FIRST_NAMES = frozenset(_read_wordlist("first_names.txt"))
RELATIVES = _Vocabulary.load("relatives.txt")
CARE_TITLES = _Vocabulary.load("care_titles.txt")
OFFICE_TITLES = _Vocabulary.load("office_titles.txt")

#: Names that are also everyday words (Hans = his, Per = per, Bo = live, Mark = field,
#: Max 3, Grace). At the start of a sentence they count only when a surname or a verb
#: such as "har"/"has" follows ("Bo har været indlagt", not "Bo i eget hjem").
AMBIGUOUS_NAMES = frozenset(
    {"Hans", "Per", "Bo", "Max", "Mark", "Bent", "Kim", "Kaj", "Tage", "Liv", "Line", "Lone"}
    | {"Bjørn", "Aksel", "Ebbe", "Gry", "Frank", "Bill", "Jack", "Grace"}
    | {"Rose", "Ruby", "Amber", "Daisy", "Holly", "Heather", "Lily", "Poppy", "Carol", "Hazel"}
    | {"Storm", "Lykke", "Fred", "Stig", "Iris", "Sue", "Pat", "Rob", "Bob", "Nick", "Mike"}
)
_NAME_VERBS = frozenset(
    {"har", "havde", "er", "var", "fik", "får", "blev", "bliver", "bor", "døde", "ligger"}
    | {"has", "had", "got", "gets", "died", "is", "was"}
)
#: "Jack, who has ADHD", "Bo, der er dement": after a comma these make the word a name.
_RELATIVE_PRONOUNS = frozenset({"who", "som", "der"})
#: Typed in lowercase, these are everyday words first: "min far ane ikke …", "min mor tage …".
_LOWERCASE_WORDS = frozenset(
    {"ane", "sten", "svend", "karl", "tom", "ben", "else", "rune", "lise", "ester", "jean"}
    | {"lee", "sam", "kai"}
)
_LOWERCASE_NAMES = frozenset(
    n.lower() for n in FIRST_NAMES - AMBIGUOUS_NAMES if n.lower() not in _LOWERCASE_WORDS
)
#: Surname endings that make a lowercase word after "hr."/"fru" a name ("fru hansen").
_SURNAME_ENDINGS = ("sen", "søn", "gaard", "gård", "holm", "berg", "lund", "strup", "bech")

#: Before a name these make it a place or a holiday: Sankt Hans, Dronning Ingrids Hjem.
_PLACE_BEFORE = frozenset(
    {"sankt", "skt", "sct", "st", "saint", "kong", "dronning", "prins", "prinsesse", "king"}
    | {"queen", "prince", "princess"}
)
#: A capitalised word after these is a name even when it is not in the list.
HONORIFICS = frozenset({"hr", "fru", "frk", "herr", "mr", "mrs", "ms", "miss"})
#: After these a word is a name, typed in lowercase or not: "min mor hedder Ingelise".
_NAMING_WORDS = frozenset({"hedder", "named", "called"})
_POSSESSIVES = frozenset({"min", "mit", "vores", "din", "jeres", "hans", "hendes", "deres"})
_POSSESSIVES |= {"my", "our", "your", "his", "her", "their"}
#: In a sentence with one of these a name is someone speaking in public, as in one with an
#: office (office_titles.txt): "Sofie Carsten Nielsen talte om psykiatri i Folketinget".
_PUBLIC_SPEECH = frozenset(
    {"talte", "udtalte", "oplæg", "indlæg", "efterlyste", "efterlyser", "præsenterede"}
    | {"præsenterer", "foreslog", "foreslår", "forsker", "forskede", "underviser", "underviste"}
    | {"påpegede", "påpeger", "opfordrede", "opfordrer", "kritiserede", "kritiserer", "lovede"}
    | {"lovet", "spoke", "presented", "proposed", "argued", "researches", "lectured", "urged"}
    | {"criticised", "criticized", "promised"}
)
#: A sentence with one of these (or a relative) is about someone's own health.
_PERSONAL = frozenset({"jeg", "mig", "min", "mit", "mine", "me", "my", "myself"})

#: After a name these make it a street or an institution: Niels Steensens Vej.
_PLACE_WORDS = frozenset(
    {"vej", "gade", "allé", "alle", "plads", "torv", "park", "hjem", "hus", "huset", "fond"}
    | {"fonden", "street", "road", "square", "school", "house", "foundation", "trust", "home"}
    | {"avenue", "lane", "church", "kirke", "kirken"}
)
#: … and so do words ending in these: H.C. Andersen Børnehospital, Dronning Ingrids Hjemmet.
_PLACE_ENDINGS = ("hospital", "hospitalet", "sygehus", "sygehuset", "hjemmet", "skole", "skolen")
_PLACE_ENDINGS += ("center", "centret", "centeret", "centre", "klinik", "klinikken", "institut")
_PLACE_ENDINGS += ("instituttet", "stiftelse", "stiftelsen", "hospice", "plejehjem")

#: "Mette fra kommunen", "Henrik fra Alzheimerforeningen", "Sophie from the secretariat": a
#: professional or a representative, named next to a health word only as part of their work.
_FROM = re.compile(r",? (?:fra|from|hos|at the) (?:the )?(?=[^\W\d_]{2})")
_ORGANISATION = re.compile(
    r"forening|fond|råd|sagen|patienter|region|kommune|hospital|sygehus|klinik|center|centr"
    r"|styrelse|ministeri|universitet|selskab|sekretariat|pleje|afdeling|visitation|forvaltning"
    r"|team|ambulatori|modtagelse|skadestue|psykiatri|lægehus|apotek|society|association"
    r"|organisation|organization|council|charity|secretariat|desk|ward|practice|office|staff"
    r"|service",
    re.IGNORECASE,
)

#: How many words may stand between a name and a health word in the same sentence. At 9,
#: "Min egen læge, Peter Bruun, ville ikke henvise mig til en psykolog trods min depression"
#: slipped through; at 11, "Thanks to Sarah at the front desk, who helped my father when his
#: dementia got worse" is caught.
WINDOW = 10


@dataclass(frozen=True)
class _HealthWords:
    """The health word list, split by how each entry matches (see health_words.txt)."""

    prefixes: tuple[str, ...]
    infixes: tuple[str, ...]
    words: frozenset[str]
    abbreviations: frozenset[str]
    phrases: dict[str, tuple[tuple[str, ...], ...]]
    exclusions: tuple[str, ...]

    @classmethod
    def load(cls) -> _HealthWords:
        """Read health_words.txt."""
        entries = _read_wordlist("health_words.txt")
        plain = [e for e in entries if e[0] not in "~=!" and " " not in e]
        phrases: dict[str, list[tuple[str, ...]]] = {}
        for entry in entries:
            if " " in entry:
                first, *rest = entry.split()
                phrases.setdefault(first, []).append(tuple(rest))
        return cls(
            prefixes=tuple(e for e in plain if not e.isupper()),
            infixes=tuple(e[1:] for e in entries if e[0] == "~"),
            words=frozenset(e[1:] for e in entries if e[0] == "="),
            abbreviations=frozenset(e for e in plain if e.isupper()),
            phrases={first: tuple(rest) for first, rest in phrases.items()},
            exclusions=tuple(e[1:] for e in entries if e[0] == "!"),
        )

    def matches(self, word: str) -> bool:
        """Return whether one word, or a part of a hyphenated word, is a health word."""
        parts = [word, *_PARTS.split(word)] if _PARTS.search(word) else [word]
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


_PARTS = re.compile(r"[-'’/]")
HEALTH_WORDS = _HealthWords.load()

# A word: a letter, then letters or digits (DM2, T1D), with inner hyphens or apostrophes
# (Anne-Marie, Parkinson's, KOL'en), and the Danish genitive apostrophe after an s (Jens').
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_][^\W_]*)*['’]?")
# The end of a sentence: . ! ? before a word that does not start in lowercase, or a line break.
# The group starts only at the start of a word, so a long run of letters cannot make it quadratic.
_SENTENCE_END = re.compile(r"(?<![^\W\d_])([^\W\d_]*)[.!?]+(?=\s+[^\s\da-zæøå]|\s*$)|\n")
_ABBREVIATIONS = HONORIFICS | {"dr", "st", "skt", "nr", "no", "kr", "ca", "kl", "tlf", "jf", "ref"}
_ABBREVIATIONS |= {"pkt", "evt", "bl", "fx", "mv", "osv", "prof", "dvs", "pr"}
_LONGEST_WORD = 80
_FOLLOWED_BY_NUMBER = re.compile(r"\.? ?\d")
_REGNAL = re.compile(r" (?:den|the) [A-ZÆØÅ]")
# "har type 2", "with type 1": diabetes, said short.
_DIABETES_TYPE = re.compile(r" ?[12]\b")
_HAS = frozenset({"har", "havde", "fik", "med", "has", "have", "had", "with"})


@dataclass(frozen=True, slots=True)
class _Lexeme:
    """What a word is, whatever its place in the text: looked up once per distinct word."""

    base: str  # without a genitive ending: Mettes, Jens', Fatima's -> Mette, Jens, Fatima
    lower: str
    capitalised: bool  # written like a name: Jensen, Anne-Marie, not KOL
    health: bool
    first_name: bool
    lowercase_name: bool
    relative: bool
    personal: bool
    office: bool  # a title of office, or a word of public speech
    cue: bool  # a health word or the start of one ("blood clot", "har type 2")


@functools.lru_cache(maxsize=50_000)
def _lexeme(text: str) -> _Lexeme:
    """Return what a word is; the cache holds the commonest words of a long export."""
    if len(text) > _LONGEST_WORD:
        text = ""  # a run of letters this long is no name and no health word
    word = text.rstrip("'’")
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    elif word not in FIRST_NAMES and word.endswith("s") and word[:-1] in FIRST_NAMES:
        word = word[:-1]
    lower = text.lower()
    relative = (
        lower in RELATIVES
        or (lower.endswith("s") and lower[:-1] in RELATIVES)
        or (lower.endswith(("'s", "’s")) and lower[:-2] in RELATIVES)
    )
    parts = word.split("-")
    health = HEALTH_WORDS.matches(word)
    return _Lexeme(
        base=word,
        lower=lower,
        capitalised=all(p[:1].isupper() and (len(p) == 1 or p[1:].islower()) for p in parts),
        health=health,
        first_name=word in FIRST_NAMES or parts[0] in FIRST_NAMES,
        lowercase_name=word.lower() in _LOWERCASE_NAMES and word.islower(),
        relative=relative,
        personal=relative or lower in _PERSONAL or text == "I",
        office=lower in OFFICE_TITLES or lower in _PUBLIC_SPEECH,
        cue=health or lower in HEALTH_WORDS.phrases or lower == "type",
    )


@dataclass(slots=True)
class _Word:
    """A word of the text with its place in it."""

    start: int
    end: int
    text: str
    sentence: int
    first_in_sentence: bool
    lex: _Lexeme
    health: bool = False


def _words(text: str) -> list[_Word]:
    """Split text into words, each knowing its sentence: only sentences with a health word."""
    found = [(m, _lexeme(m[0])) for m in _WORD.finditer(text)]
    if not any(lex.cue for _, lex in found):
        return []
    ends = [
        m.end()
        for m in _SENTENCE_END.finditer(text)
        # Not after an abbreviation (hr. Jensen) or an initial (J. Hansen).
        if m[1] is None or (len(m[1]) != 1 and m[1].lower() not in _ABBREVIATIONS)
    ]
    sentences = [bisect_right(ends, m.start()) for m, _ in found]
    wanted = {s for s, (_, lex) in zip(sentences, found, strict=True) if lex.cue}
    words: list[_Word] = []
    previous = -1
    for (m, lex), sentence in zip(found, sentences, strict=True):
        if sentence in wanted:
            words.append(_Word(m.start(), m.end(), m[0], sentence, sentence != previous, lex))
        previous = sentence
    return words


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    """Return whether only a space separates two words of the same sentence."""
    return left.sentence == right.sentence and text[left.end : right.start] == " "


def _is_proper_noun(text: str, words: list[_Word], i: int) -> bool:
    """Return whether a word is part of a capitalised name (Kræftens Bekæmpelse)."""
    word = words[i]
    if word.first_in_sentence or not word.lex.capitalised or i + 1 == len(words):
        return False
    following = words[i + 1]
    return _adjacent(text, word, following) and following.lex.capitalised


def _mark_health_words(text: str, words: list[_Word]) -> None:
    """Set ``health`` on the words that are health words, in phrases too."""
    for i, word in enumerate(words):
        lex = word.lex
        if lex.health:
            word.health = not _is_proper_noun(text, words, i)
        elif lex.lower in HEALTH_WORDS.phrases:
            for *middle, last in HEALTH_WORDS.phrases[lex.lower]:
                following = words[i + 1 : i + 2 + len(middle)]
                lowered = [w.lex.lower for w in following]
                if len(lowered) == len(middle) + 1 and lowered[:-1] == middle:
                    if lowered[-1].startswith(last):
                        for w in (word, *following):
                            w.health = True
        elif (
            lex.lower == "type"
            and i
            and words[i - 1].lex.lower in _HAS
            and _DIABETES_TYPE.match(text, word.end)
        ):
            word.health = True


def _before(text: str, words: list[_Word], i: int) -> _Word | None:
    """Return the word just before words[i] in its sentence, with at most a comma between."""
    if i == 0 or words[i - 1].sentence != words[i].sentence:
        return None
    before = words[i - 1]
    return before if text[before.end : words[i].start].strip(" .,") == "" else None


def _after_relative(words: list[_Word], i: int, before: _Word) -> bool:
    """Return whether words[i] follows "min mor", "our son": a possessive and a relative."""
    return before.lex.relative and i > 1 and words[i - 2].lex.lower in _POSSESSIVES


class _Role(enum.IntEnum):
    """Whether words name someone, and whether a professional at work (who counts only when the
    sentence is about someone's own health)."""

    NONE = 0
    PERSON = 1
    PROFESSIONAL = 2


def _name_start(text: str, words: list[_Word], i: int) -> _Role:
    """Return whether words[i] begins a person's name, and whether a professional's."""
    word = words[i]
    lex = word.lex
    if len(lex.base) < 2 or word.health:
        return _Role.NONE
    before = _before(text, words, i)
    if not lex.capitalised:
        # Typed in lowercase: "min mor inge", "fru hansen", "hedder inge".
        if before is None:
            return _Role.NONE
        prior = before.lex.lower
        if lex.lowercase_name and (prior in _NAMING_WORDS or _after_relative(words, i, before)):
            return _Role.PERSON
        if prior in HONORIFICS and lex.lower.endswith(_SURNAME_ENDINGS):
            return _Role.PERSON
        return _Role.NONE
    if lex.lower in HONORIFICS or lex.lower in CARE_TITLES or lex.lower in OFFICE_TITLES:
        return _Role.NONE  # the name is the word after "hr.", "Dr.", "Borgmester"
    if _FOLLOWED_BY_NUMBER.match(text, word.end):
        return _Role.NONE  # Max 3, Jan 2024
    if before is not None:
        prior = before.lex.lower
        if prior in OFFICE_TITLES or prior in _PLACE_BEFORE:
            return _Role.NONE
        if prior in CARE_TITLES:
            return _Role.PROFESSIONAL
        if prior in HONORIFICS or prior in _NAMING_WORDS or _after_relative(words, i, before):
            return _Role.PERSON
    if not lex.first_name:
        return _Role.NONE
    if lex.base in AMBIGUOUS_NAMES and word.first_in_sentence:
        after = words[i + 1] if i + 1 < len(words) else None
        if after is None or after.sentence != word.sentence:
            return _Role.NONE
        between = text[word.end : after.start]
        if between == ", " and after.lex.lower in _RELATIVE_PRONOUNS:
            return _Role.PERSON
        if between != " " or not (
            after.text in _NAME_VERBS or (after.lex.capitalised and not after.health)
        ):
            return _Role.NONE
    return _Role.PERSON


def _name_end(text: str, words: list[_Word], i: int) -> int | None:
    """Return the index after the name starting at words[i], or None for a place name."""
    if _REGNAL.match(text, words[i].end):
        return None  # Frederik den Niendes Plejehjem, Henry the Eighth
    end = i + 1
    while end < len(words) and _adjacent(text, words[end - 1], words[end]):
        following = words[end]
        if following.lex.lower in _PLACE_WORDS or following.lex.lower.endswith(_PLACE_ENDINGS):
            return None
        head, _, tail = following.text.partition("-")
        if tail.islower() and head.istitle() and not following.health:
            return None  # named after someone: Peter Plys-rummet, Andersen-prisen
        if (
            end - i > 3
            or not following.lex.capitalised
            or following.health
            or len(following.lex.base) < 2
        ):
            break
        end += 1
    return end


def _role_after(text: str, words: list[_Word], end: int) -> _Role:
    """Return what the words after a name say about the person: an office, a workplace."""
    if end < len(words) and text[words[end - 1].end : words[end].start] == ", ":
        if words[end].lex.lower in OFFICE_TITLES:
            return _Role.NONE  # "Birgitte Nielsen, formand for Ældre Sagen"
        if words[end].lex.lower in CARE_TITLES:
            return _Role.PROFESSIONAL  # "Jens Hansen, overlæge på Herlev"
    match = _FROM.match(text, words[end - 1].end)
    if match is None:
        return _Role.PERSON
    # fra kommunen, from the front desk, fra Alzheimerforeningen, fra Region Hovedstaden; not
    # "fra opgangen" or "fra Odense": a neighbour, a town.
    following = text[match.end() : match.end() + 60].split()[:3]
    if following[0].islower():
        run = following[:2]  # kommunen; front desk
    else:
        run = [w for w in following if w[:1].isupper()]  # Region Hovedstaden
        if run and run[0].strip(".,;:").isupper() and len(run[0].strip(".,;:")) > 1:
            return _Role.PROFESSIONAL  # fra KL, fra SDU, fra FOA
    return _Role.PROFESSIONAL if any(_ORGANISATION.search(w) for w in run) else _Role.PERSON


def find_health_names(text: str) -> list[Flag]:
    """Return the names of people mentioned within a few words of a health word."""
    words = _words(text)
    _mark_health_words(text, words)
    health = [i for i, w in enumerate(words) if w.health]
    sentences = {words[h].sentence for h in health}
    personal = {w.sentence for w in words if w.lex.personal and w.sentence in sentences}
    offices = {w.sentence for w in words if w.sentence in sentences and w.lex.office}
    flags: list[Flag] = []
    i = 0
    while i < len(words):
        sentence = words[i].sentence
        role = _name_start(text, words, i) if sentence in sentences else _Role.NONE
        end = _name_end(text, words, i) if role else None
        if end is None:
            i += 1
            continue
        after = _role_after(text, words, end)
        if after == _Role.NONE:
            role = _Role.NONE
        elif after == _Role.PROFESSIONAL or sentence in offices:
            role = _Role.PROFESSIONAL
        counts = role == _Role.PERSON or (role == _Role.PROFESSIONAL and sentence in personal)
        if counts and _near_health(words, health, i, end):
            flags.append(Flag(words[i].start, words[end - 1].end, Kind.HEALTH_NAME))
        i = end
    return flags


def _near_health(words: list[_Word], health: list[int], first: int, end: int) -> bool:
    """Return whether a health word is within WINDOW words of words[first:end], same sentence."""
    sentence = words[first].sentence
    for h in islice(health, bisect_left(health, first - WINDOW), None):
        if h >= end + WINDOW:
            return False
        if words[h].sentence == sentence:
            return True
    return False
