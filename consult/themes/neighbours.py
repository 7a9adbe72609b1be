"""Short input borrows words from its nearest neighbours before it is clustered.

A 12-word input shares few words with the others on its theme, so the factorisation sees it
as almost alone. Each input's vector gets the mean of its ``NEIGHBOURS`` most similar inputs'
vectors added (weighted by their similarity, times ``ALPHA``), then is normalised again: an
input keeps its own words first and gains the words its close neighbours use.

Similarity is the cosine of the lexical vectors, plus the sentence vectors' cosine when they
are given (``consult.themes.semantic``), so two inputs that say the same in other words become
neighbours and lend each other their words. Up to ``EXACT_MAX`` inputs the cosines are over
all columns and an input takes every column of its neighbours' mean. Above, exact cosines
over 200,000 character n-gram columns and rows made ten times denser would cost several times
the rest, so the caller passes a cheaper matrix to search with (the word terms alone) and the
borrowed part keeps only its heaviest entries, ``BORROWED`` an input on average. Computed in
blocks of rows, so 20,000 inputs never need a 20,000 x 20,000 matrix at once.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

#: How many neighbours an input borrows from, and how much their mean counts against it
#: (measured on both labelled sets: 5-20 neighbours and 0.5-2 all help; docs/analysis.md).
NEIGHBOURS = 10
ALPHA = 1.5
#: Up to this many inputs: cosines over every column, every borrowed column kept.
EXACT_MAX = 2000
#: Borrowed entries an input keeps on average above ``EXACT_MAX`` (the heaviest overall).
BORROWED = 64
BLOCK = 1000


def smooth(
    matrix: sparse.csr_matrix,
    sentences: np.ndarray | None = None,
    *,
    search: sparse.csr_matrix | None = None,
    weight: float = 1.0,
    neighbours: int = NEIGHBOURS,
    alpha: float = ALPHA,
) -> sparse.csr_matrix:
    """Return ``matrix`` (rows of length 1) with each row's neighbours' words added.

    ``search``: the rows (of length 1) whose cosines find the neighbours; ``matrix`` itself
    when not given. ``sentences``: sentence vectors whose cosines are added, times ``weight``.
    """
    rows = matrix.shape[0]
    neighbours = min(neighbours, rows - 1)
    if neighbours < 1 or alpha == 0:
        return matrix
    nearest, similarity = _nearest(
        matrix if search is None else search, sentences, weight, neighbours
    )
    weights = sparse.csr_matrix(
        (similarity.ravel(), (np.repeat(np.arange(rows), neighbours), nearest.ravel())),
        shape=(rows, rows),
    )
    weights = normalize(weights, norm="l1")
    if rows <= EXACT_MAX:
        borrowed = weights @ matrix
    else:
        borrowed = sparse.vstack(
            [_heaviest(weights[start : start + BLOCK] @ matrix) for start in range(0, rows, BLOCK)]
        )
    return normalize(matrix + alpha * borrowed).astype(np.float32).tocsr()


def _heaviest(block: sparse.csr_matrix) -> sparse.csr_matrix:
    """Return ``block`` with only its ``BORROWED`` x rows heaviest entries (over all rows)."""
    block = block.tocsr()
    keep = BORROWED * block.shape[0]
    if block.nnz > keep:
        lightest = np.argpartition(block.data, block.nnz - keep)[: block.nnz - keep]
        block.data[lightest] = 0.0
        block.eliminate_zeros()
    return block


def _nearest(search, sentences, weight: float, neighbours: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's nearest rows and their similarity (0 or more)."""
    rows = search.shape[0]
    transposed = search.T.tocsc()
    columns, values = [], []
    for start in range(0, rows, BLOCK):
        stop = min(start + BLOCK, rows)
        similarity = (search[start:stop] @ transposed).toarray()
        if sentences is not None:
            similarity += weight * (sentences[start:stop] @ sentences.T)
        similarity[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        # A copy, not a view: a view would keep each block's whole index array alive.
        nearest = np.argpartition(-similarity, neighbours - 1, axis=1)[:, :neighbours].copy()
        columns.append(nearest)
        values.append(np.clip(np.take_along_axis(similarity, nearest, axis=1), 0.0, None))
    return np.vstack(columns), np.vstack(values)
