"""Danish text for theme suggestions: folding, words, stop words, stems and compound parts.

Every word is lower-cased and folded (æ -> ae, ø -> oe, å -> aa, other accents dropped) before
anything else, so "pårørende" and "paaroerende" are the same word from here on, whichever way
the writer typed it; both sides of every comparison are folded the same way, so "Aarhus" and
"Århus" meet as well. The folded word is then stemmed by the Snowball Danish stemmer, and a
long word is split into parts the corpus itself knows ("hjemmesygeplejen" -> "hjemme" +
"sygeplejen", "befordringsgodtgørelse" -> "befordring" + -s- + "godtgørelse"), so a compound
shares a term with the words it is made of. Labels show each stem as people wrote it: the
most frequent unfolded form.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import snowballstemmer

#: Letters only: digits, punctuation and underscores separate words.
WORD = re.compile(r"[^\W\d_]+")
FOLDS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "u"})
#: Shortest word kept as a term; one- and two-letter words carry no theme.
MIN_WORD = 3
#: Shortest word tried as a compound, and shortest part of one (folded letters).
MIN_COMPOUND = 9
MIN_PART = 4
#: Danish linking elements between the parts of a compound: "sundhed-s-aftale", "syg-e-pleje".
LINKS = ("", "s", "e")
#: Word endings that are also words ("ende", "sker", "inger"): never a part of a split, or
#: "pårørende" would become "pårør" + "ende", "mennesker" "menn" + "sker" and "sygelighed"
#: (morbidity) "syge" + "lighed" (equality).
ENDINGS = frozenset(
    "ende endes ene enes inde inger ingen sker nede lige ligere ligst ligens meste else elsen"
    " heden heder erne ernes lighed ligheden".split()
)


def fold(word: str) -> str:
    """Return ``word`` lower-cased with æ, ø and å written ae, oe and aa and no other accents."""
    folded = word.lower().translate(FOLDS)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def stop_words() -> frozenset[str]:
    """Return the shipped Danish stop words, folded."""
    source = resources.files("consult.themes").joinpath("stopwords_da.txt")
    lines = source.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and line[0] != "#")


@cache
def _stemmer():
    return snowballstemmer.stemmer("danish")


def words(text: str) -> list[tuple[str, str]]:
    """Return each word of ``text`` as (lower-cased surface form, folded form)."""
    return [(word, fold(word)) for word in WORD.findall(text.lower())]


@dataclass(frozen=True)
class Analysis:
    """The corpus as terms: what the vectorisers read and what labels show."""

    #: Per text: the stems of its words and of their compound parts, stop words left out.
    terms: list[list[str]]
    #: Per text: its folded words without stop words, for the character n-grams.
    plain: list[str]
    #: Per stem: the form people wrote most often ("pårørende", not "paaroer").
    surface: dict[str, str]


def analyse(
    texts: Sequence[str], *, compounds: bool = True, stop: Iterable[str] | None = None
) -> Analysis:
    """Turn ``texts`` into terms, compound parts split on the corpus's own vocabulary."""
    stop_set = stop_words() if stop is None else frozenset(fold(word) for word in stop)
    stemmer = _stemmer()
    tokenised = [
        [(surface, folded) for surface, folded in words(text or "") if len(folded) >= MIN_WORD]
        for text in texts
    ]
    kept = [[(s, f) for s, f in doc if f not in stop_set] for doc in tokenised]
    forms = {folded for doc in kept for _, folded in doc}
    stem_of = dict(zip(sorted(forms), stemmer.stemWords(sorted(forms)), strict=True))
    splitter = CompoundSplitter(forms, set(stem_of.values()), stop_set) if compounds else None

    seen: dict[str, Counter[str]] = {}
    terms: list[list[str]] = []
    for doc in kept:
        doc_terms: list[str] = []
        for surface, folded in doc:
            stem = stem_of[folded]
            seen.setdefault(stem, Counter())[surface] += 1
            doc_terms.append(stem)
            if splitter is not None:
                doc_terms.extend(stemmer.stemWords(splitter.split(folded)))
        terms.append(doc_terms)
    surface = {stem: counts.most_common(1)[0][0] for stem, counts in seen.items()}
    plain = [" ".join(folded for _, folded in doc) for doc in kept]
    return Analysis(terms=terms, plain=plain, surface=surface)


class CompoundSplitter:
    """Split a long word into parts that the corpus uses as words of their own.

    A part is known when the corpus has it as a word, or has a word with the same stem
    ("sygeplejen" is known when "sygeplejersken" is not, but "sygepleje" is). Parts are joined
    directly or by the linking -s- or -e-. The longest known last part wins: in Danish the last
    part names the thing ("hjemme|sygeplejen" is nursing). Returns [] for a word that does not
    split, so the caller keeps only the whole word.
    """

    def __init__(self, forms: set[str], stems: set[str], stop: frozenset[str]) -> None:
        self.forms = forms
        self.stems = stems
        self.stop = stop
        self.stemmer = _stemmer()
        self.cache: dict[str, list[str]] = {}

    def known(self, part: str) -> bool:
        if len(part) < MIN_PART or part in self.stop or part in ENDINGS:
            return False
        return part in self.forms or self.stemmer.stemWord(part) in self.stems

    def split(self, word: str, depth: int = 0) -> list[str]:
        if len(word) < MIN_COMPOUND or depth > 2:
            return []
        if word in self.cache:
            return self.cache[word]
        parts: list[str] = []
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head = word[:cut]
            if not self.known(head):
                continue
            for link in LINKS:
                tail = word[cut + len(link) :]
                if not word.startswith(link, cut) or len(tail) < MIN_PART:
                    continue
                if self.known(tail):
                    parts = [head, tail]
                else:
                    rest = self.split(tail, depth + 1)
                    parts = [head, *rest] if rest else []
                if parts:
                    break
            if parts:
                break
        self.cache[word] = parts
        return parts
