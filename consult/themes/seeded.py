"""Seeded themes: the secretariat names themes and marks a few inputs as examples of each.

Every other input is scored against every theme by the cosine of its vector with the theme's
centroid, and goes to the theme it fits best. A theme's centroid is the mean of its examples'
vectors plus the vector of its name, which weighs as much as the examples together: a named
theme ("Ventetider") already says which words matter, and three short examples rarely share
many words (measured: the name raises accuracy from 0.43 to 0.62 with three examples a theme,
docs/analysis.md). Up to ``semantic.MAX_INPUTS`` inputs, the same is done with a multilingual
language model's sentence vectors (``consult.themes.semantic``: the mean of the examples' plus
the name's), and an input's score is the mean of the lexical and the sentence cosine: the
model knows that "jordemoder" and "fødsel" belong together, which no shared word shows.
The words that made an input match are the word terms it shares with the theme's centroid,
heaviest product of weights first, shown as people wrote them.
"""

from __future__ import annotations

from collections.abc import Hashable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.preprocessing import normalize

from consult.themes import semantic as semantic_vectors
from consult.themes.vectors import Vectors
from consult.themes.vectors import vectorise

Id = Hashable
#: How many words explain a match.
REASON_WORDS = 5


@dataclass(frozen=True)
class Match:
    """How one input fits the named themes."""

    id: Id
    #: The best theme's name, or None when the input has no usable words.
    theme: str | None
    #: The cosine with the best theme's centroid, 0..1 (with sentence vectors: the mean of
    #: the lexical and the sentence cosine).
    score: float
    #: The words the input shares with that theme, weightiest first.
    words: tuple[str, ...]
    #: The score against every theme, by name.
    scores: dict[str, float]


def match_themes(
    items: Sequence[tuple[Id, str]],
    examples: Mapping[str, Sequence[Id]],
    *,
    use_names: bool = True,
    semantic: bool | None = None,
) -> list[Match]:
    """Rank every input that is not an example by how well it fits each named theme.

    ``examples`` maps a theme's name to the ids of its example inputs (at least one each).
    Returns one Match per other input, in the order of ``items``. ``semantic``: add the
    language model's sentence vectors (True), never (False), or up to
    ``consult.themes.semantic.MAX_INPUTS`` inputs (None, the default).
    """
    ids = [id_ for id_, _ in items]
    position = {id_: i for i, id_ in enumerate(ids)}
    if len(position) != len(ids):
        raise ValueError("every input needs its own id; some ids occur more than once")
    names = list(examples)
    if not names:
        raise ValueError("name at least one theme with at least one example")
    for name in names:
        if not examples[name]:
            raise ValueError(f"the theme {name!r} has no example")
        unknown = [id_ for id_ in examples[name] if id_ not in position]
        if unknown:
            raise ValueError(f"the theme {name!r} names ids that are not inputs: {unknown[:5]}")

    # The names are vectorised with the inputs so that they share one vocabulary.
    texts = [text or "" for _, text in items] + (names if use_names else [])
    vectors = vectorise(texts)
    centroids, word_centroids = _centroids(vectors, examples, names, position, len(ids), use_names)
    similarity = np.asarray(vectors.matrix[: len(ids)] @ centroids.T)
    if semantic_vectors.wanted(len(ids), semantic):
        sentences, named = semantic_vectors.embed(
            [text for _, text in items], names if use_names else ()
        )
        sentence_centroids = _sentence_centroids(
            sentences, named if use_names else None, examples, names, position
        )
        weight = semantic_vectors.WEIGHT
        similarity = (similarity + weight * (sentences @ sentence_centroids.T)) / (1 + weight)
    similarity = np.clip(similarity, 0.0, 1.0)
    empty = vectors.empty_rows()

    example_ids = {id_ for members in examples.values() for id_ in members}
    matches = []
    for row, id_ in enumerate(ids):
        if id_ in example_ids:
            continue
        if empty[row]:
            matches.append(Match(id_, None, 0.0, (), {name: 0.0 for name in names}))
            continue
        best = int(np.argmax(similarity[row]))
        scores = {
            name: round(float(value), 4) for name, value in zip(names, similarity[row], strict=True)
        }
        matches.append(
            Match(
                id=id_,
                theme=names[best],
                score=scores[names[best]],
                words=tuple(_reasons(vectors, row, word_centroids[best])),
                scores=scores,
            )
        )
    return matches


def _centroids(
    vectors: Vectors,
    examples: Mapping[str, Sequence[Id]],
    names: list[str],
    position: dict[Id, int],
    count: int,
    use_names: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Return each theme's centroid over all columns and over the word columns alone."""
    centroids, word_centroids = [], []
    for number, name in enumerate(names):
        rows = [position[id_] for id_ in examples[name]]
        centroid = np.asarray(vectors.matrix[rows].mean(axis=0)).ravel()
        word_centroid = np.asarray(vectors.words[rows].mean(axis=0)).ravel()
        if use_names:
            centroid = centroid + vectors.matrix[count + number].toarray().ravel()
            word_centroid = word_centroid + vectors.words[count + number].toarray().ravel()
        centroids.append(centroid)
        word_centroids.append(word_centroid)
    return normalize(np.vstack(centroids)), np.vstack(word_centroids)


def _sentence_centroids(
    sentences: np.ndarray,
    named: np.ndarray | None,
    examples: Mapping[str, Sequence[Id]],
    names: list[str],
    position: dict[Id, int],
) -> np.ndarray:
    """Return each theme's centroid of sentence vectors: its examples' mean plus its name's."""
    centroids = []
    for number, name in enumerate(names):
        mean = normalize(sentences[[position[id_] for id_ in examples[name]]].mean(axis=0)[None])
        centroids.append(mean[0] + (named[number] if named is not None else 0.0))
    return normalize(np.vstack(centroids))


def _reasons(vectors: Vectors, row: int, word_centroid: np.ndarray) -> list[str]:
    """Return the input's words that weigh most in the theme's centroid."""
    doc = vectors.words[row]
    if doc.nnz == 0:
        return []
    weight = doc.data * word_centroid[doc.indices]
    words: list[str] = []
    for index in np.argsort(-weight, kind="stable"):
        if weight[index] <= 0 or len(words) == REASON_WORDS:
            break
        word = vectors.surface(int(doc.indices[index]))
        if word is not None and word not in words:
            words.append(word)
    return words
