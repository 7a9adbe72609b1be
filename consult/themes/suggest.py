"""Suggested themes: unsupervised clustering of the inputs.

Non-negative matrix factorisation (NMF) of the TF-IDF vectors (``consult.themes.vectors``)
into k themes; each input joins the theme with the largest weight. Before that, each input
borrows words from its nearest neighbours (``consult.themes.neighbours``), found by the
lexical cosine plus, up to ``semantic.MAX_INPUTS`` inputs, the cosine of a multilingual
language model's sentence vectors (``consult.themes.semantic``). NMF was measured against
k-means on the raw vectors and on an LSA reduction, agglomerative (Ward) and spectral
clustering, and a consensus of k-means runs: on the labelled set it gives the highest purity
(docs/analysis.md). Its initialisation (NNDSVDa) comes from an SVD with a fixed seed, so the
same input gives the same themes.

When k is not given it is chosen by the silhouette (cosine) of the NMF themes for each k in
a small range, on at most ``CHOOSE_SAMPLE`` inputs, so the choice costs the same at 20,000
inputs as at 2,000; the themes themselves are then fitted on every input.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import numpy as np
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from consult.themes import semantic as semantic_vectors
from consult.themes.neighbours import EXACT_MAX
from consult.themes.neighbours import smooth
from consult.themes.vectors import Vectors
from consult.themes.vectors import vectorise

Id = Hashable
#: The range k is chosen from when not given (both ends included).
K_RANGE = (4, 14)
#: Inputs the choice of k looks at (a fixed random sample when there are more), and the most
#: columns it keeps (the ones most inputs use): NMF's time grows with both.
CHOOSE_SAMPLE = 1500
CHOOSE_COLUMNS = 8000
#: Words in a theme's label, and quotes per theme.
LABEL_WORDS = 4
QUOTES = 3
RANDOM_STATE = 13
MAX_ITER = 300
#: NMF stops when the fit improves by less than this share; 1e-3 rather than scikit-learn's
#: 1e-4 halves the time at 10,000 inputs and moves the labelled set's figures by under 0.01.
TOLERANCE = 1e-3
#: Rounds of moving inputs to their nearest theme's centroid after NMF (it settles in 2-3).
REFINE_ROUNDS = 3


@dataclass(frozen=True)
class Theme:
    """One suggested theme: what the secretariat sees and may name, merge or split."""

    #: The theme's characteristic words as people wrote them, most characteristic first.
    words: tuple[str, ...]
    #: Its members, most central first.
    ids: tuple[Id, ...]
    #: How well each member fits: the cosine of its vector with the theme's centroid, 0..1.
    scores: dict[Id, float] = field(repr=False)
    #: The ids of the most central members: the inputs to quote.
    quotes: tuple[Id, ...]

    @property
    def label(self) -> str:
        return ", ".join(self.words)

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Suggestions:
    """Themes, largest first, and the inputs no theme could take (no usable words)."""

    themes: list[Theme]
    unassigned: tuple[Id, ...]
    #: The k used; ``chosen`` tells whether it was chosen here (True) or given.
    k: int
    chosen: bool

    def theme_of(self) -> dict[Id, int]:
        """Return each assigned id's theme number (0-based index into ``themes``)."""
        return {id_: number for number, theme in enumerate(self.themes) for id_ in theme.ids}


def suggest_themes(
    items: Sequence[tuple[Id, str]],
    k: int | None = None,
    *,
    k_range: tuple[int, int] = K_RANGE,
    random_state: int = RANDOM_STATE,
    semantic: bool | None = None,
) -> Suggestions:
    """Group the inputs ``[(id, text)]`` into themes; choose k when not given.

    ``semantic``: add the language model's sentence vectors (True), never (False), or up to
    ``consult.themes.semantic.MAX_INPUTS`` inputs (None, the default).
    """
    ids = _unique_ids(items)
    if not ids:
        return Suggestions(themes=[], unassigned=(), k=0, chosen=k is None)
    vectors = vectorise([text or "" for _, text in items])
    usable = np.flatnonzero(~vectors.empty_rows())
    unassigned = tuple(ids[i] for i in np.flatnonzero(vectors.empty_rows()))
    if len(usable) == 0:
        return Suggestions(themes=[], unassigned=unassigned, k=0, chosen=k is None)
    sentences = None
    if semantic_vectors.wanted(len(usable), semantic):
        sentences, _ = semantic_vectors.embed([items[i][1] for i in usable])
    matrix = vectors.matrix[usable]
    search = vectors.words[usable] if len(usable) > EXACT_MAX else None
    matrix = smooth(matrix, sentences, search=search, weight=semantic_vectors.WEIGHT)
    chosen = k is None
    if k is None:
        k = choose_k(matrix, k_range, random_state=random_state)
    k = max(1, min(k, len(usable)))
    labels = _refine(matrix, sentences, _cluster(matrix, k, random_state), k)

    themes = []
    for number in range(k):
        members = usable[labels == number]
        if len(members):
            themes.append(_describe(vectors, members, ids))
    themes.sort(key=lambda theme: (-theme.size, theme.label))
    return Suggestions(themes=themes, unassigned=unassigned, k=k, chosen=chosen)


def choose_k(matrix, k_range: tuple[int, int], *, random_state: int = RANDOM_STATE) -> int:
    """Return the k in ``k_range`` whose themes have the best silhouette (cosine)."""
    rows = matrix.shape[0]
    if rows > CHOOSE_SAMPLE:
        sample = np.random.default_rng(random_state).choice(rows, CHOOSE_SAMPLE, replace=False)
        matrix = matrix[np.sort(sample)]
        rows = CHOOSE_SAMPLE
    used = matrix.getnnz(axis=0)
    columns = np.argsort(-used, kind="stable")[: min(CHOOSE_COLUMNS, np.count_nonzero(used))]
    matrix = normalize(matrix[:, np.sort(columns)])
    matrix = matrix[matrix.getnnz(axis=1) > 0]
    rows = matrix.shape[0]
    low, high = k_range
    high = min(high, rows - 1)
    best_k, best = min(low, max(rows - 1, 1)), -2.0
    for k in range(low, high + 1):
        labels = _cluster(matrix, k, random_state)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(matrix, labels, metric="cosine")
        if score > best:
            best_k, best = k, score
    return best_k


def _cluster(matrix, k: int, random_state: int) -> np.ndarray:
    if k == 1:
        return np.zeros(matrix.shape[0], dtype=int)
    model = NMF(
        n_components=k,
        init="nndsvda",
        random_state=random_state,
        max_iter=MAX_ITER,
        tol=TOLERANCE,
    )
    with warnings.catch_warnings():
        # Stopping at MAX_ITER is fine: the assignment (argmax) has long stopped changing.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    return weights.argmax(axis=1)


def _refine(matrix, sentences: np.ndarray | None, labels: np.ndarray, k: int) -> np.ndarray:
    """Move each input to the theme whose centroid it is closest to, a few rounds.

    NMF assigns by its factor weights; this settles each input by its cosine with the themes'
    centroids (lexical, plus the sentence vectors' when there are any), as spherical k-means
    started from NMF's themes would: it moves the few inputs NMF left on a border.
    """
    for _ in range(REFINE_ROUNDS):
        present = np.unique(labels)
        if len(present) < 2:
            break
        # Sums per theme are enough: normalising a sum gives the mean's direction.
        members = sparse.csr_matrix(
            (np.ones(len(labels)), (np.searchsorted(present, labels), np.arange(len(labels)))),
            shape=(len(present), len(labels)),
        )
        similarity = np.asarray((matrix @ normalize(members @ matrix).T).todense())
        if sentences is not None:
            centroids = normalize(members @ sentences)
            similarity = similarity + semantic_vectors.WEIGHT * (sentences @ centroids.T)
        moved = present[similarity.argmax(axis=1)]
        if np.array_equal(moved, labels):
            break
        labels = moved
    return labels


def _describe(vectors: Vectors, members: np.ndarray, ids: list[Id]) -> Theme:
    rows = vectors.matrix[members]
    centroid = np.asarray(rows.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    fit = rows @ (centroid / norm) if norm else np.zeros(len(members))
    fit = np.clip(np.asarray(fit).ravel(), 0.0, 1.0)
    order = np.argsort(-fit, kind="stable")
    member_ids = tuple(ids[members[i]] for i in order)
    return Theme(
        words=tuple(characteristic_words(vectors, members)),
        ids=member_ids,
        scores={ids[members[i]]: round(float(fit[i]), 4) for i in order},
        quotes=member_ids[:QUOTES],
    )


def characteristic_words(vectors: Vectors, members: np.ndarray, n: int = LABEL_WORDS) -> list[str]:
    """Return the words that set ``members`` apart: their mean TF-IDF above the corpus's."""
    if vectors.words.shape[1] == 0:
        return []
    inside = np.asarray(vectors.words[members].mean(axis=0)).ravel()
    overall = np.asarray(vectors.words.mean(axis=0)).ravel()
    # Share of members using the term, so a word one long input repeats does not lead.
    spread = np.asarray((vectors.words[members] > 0).mean(axis=0)).ravel()
    weight = (inside - overall) * spread
    words: list[str] = []
    for column in np.argsort(-weight, kind="stable"):
        if weight[column] <= 0 or len(words) == n:
            break
        word = vectors.surface(int(column))
        if word is not None and word not in words:
            words.append(word)
    return words


def _unique_ids(items: Sequence[tuple[Id, str]]) -> list[Id]:
    ids = [id_ for id_, _ in items]
    if len(set(ids)) != len(ids):
        raise ValueError("every input needs its own id; some ids occur more than once")
    return ids
