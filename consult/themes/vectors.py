"""Texts as vectors: TF-IDF over word stems and compound parts, plus character n-grams.

Two views of each text, each TF-IDF weighted (sublinear counts, so a repeated word does not
drown the rest) and joined side by side, then every row scaled to length 1 so that a dot
product is a cosine:

- word terms (``consult.themes.text``): stems of the words and of their compound parts, stop
  words left out. These carry the meaning, and labels and "words that made it match" come
  from them alone.
- character n-grams of 3 to 5 letters inside word boundaries (``char_wb``) over the folded,
  stop-word-free text: "sygeplejesker" (a typo) still shares most n-grams with
  "sygeplejersker", and "ventelisten" with "ventetiden". Weighted ``CHAR_WEIGHT`` against the
  words, because short input has few words to go on (docs/analysis.md has the measurements).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from consult.themes.text import Analysis
from consult.themes.text import analyse

#: How much the character n-grams count against the word terms (measured: 0.5 -> 2.0 raised
#: purity from 0.44 to 0.53 and seeded accuracy from 0.60 to 0.62 on the labelled set).
CHAR_WEIGHT = 2.0
CHAR_NGRAMS = (3, 5)
#: Upper bound on character n-gram columns, so 20,000 inputs stay within memory and time.
MAX_CHAR_FEATURES = 200_000
#: Below this many texts a term seen once is kept (a tiny corpus has few repeated words).
MIN_DF_FROM = 50


@dataclass(frozen=True)
class Vectors:
    """Vectors of a corpus: one row per text, rows of length 1 (or 0 for a text with no words)."""

    #: Words and character n-grams side by side; what clustering and matching compare.
    matrix: sparse.csr_matrix
    #: The word-term columns alone, TF-IDF weighted and row-normalised: labels and reasons.
    words: sparse.csr_matrix
    #: The word term (a stem) of each column of ``words``.
    terms: np.ndarray
    analysis: Analysis

    def empty_rows(self) -> np.ndarray:
        """Return a mask of the texts that have no usable words (e.g. "Ok!" or "…")."""
        return np.asarray(self.matrix.getnnz(axis=1) == 0)

    def surface(self, column: int) -> str | None:
        """Return the word people wrote for a word column, or None for a compound part only."""
        return self.analysis.surface.get(str(self.terms[column]))


def vectorise(
    texts: Sequence[str], *, char_weight: float = CHAR_WEIGHT, compounds: bool = True
) -> Vectors:
    """Return the vectors of ``texts`` (one fit over the whole corpus, no stored state)."""
    analysis = analyse(texts, compounds=compounds)
    min_df = 2 if len(texts) >= MIN_DF_FROM else 1
    words, terms = _fit_words(analysis.terms, min_df)
    blocks = [words]
    if char_weight > 0:
        chars = _fit_chars(analysis.plain, min_df)
        if chars is not None:
            blocks.append(chars * char_weight)
    matrix = sparse.hstack(blocks, format="csr", dtype=np.float32)
    if matrix.shape[1]:
        matrix = normalize(matrix)
    return Vectors(matrix=matrix, words=words, terms=terms, analysis=analysis)


def _identity(terms: list[str]) -> list[str]:
    return terms


def _fit_words(docs: list[list[str]], min_df: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    vectoriser = TfidfVectorizer(
        analyzer=_identity, sublinear_tf=True, min_df=min_df, dtype=np.float32
    )
    try:
        matrix = vectoriser.fit_transform(docs)
    except ValueError:  # no term in any text (no text, or only stop words)
        return sparse.csr_matrix((len(docs), 0), dtype=np.float32), np.array([], dtype=str)
    return normalize(matrix).tocsr(), vectoriser.get_feature_names_out()


def _fit_chars(plain: list[str], min_df: int) -> sparse.csr_matrix | None:
    vectoriser = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        sublinear_tf=True,
        min_df=min_df,
        max_features=MAX_CHAR_FEATURES,
        dtype=np.float32,
    )
    try:
        return normalize(vectoriser.fit_transform(plain)).tocsr()
    except ValueError:
        return None
