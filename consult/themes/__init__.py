"""Theme suggestions for Danish input, offline: pure functions over ``[(id, text)]``.

- ``suggest_themes(items, k=None)``: unsupervised themes, each with its words (the label),
  members, a score per member and three quotes (``consult.themes.suggest``).
- ``match_themes(items, examples)``: themes the secretariat named, with a few example ids
  each; every other input gets its best theme, a score and the words that made it match
  (``consult.themes.seeded``).

No database and no model files: text handling (Danish folding, stems, compounds, stop words)
is in ``consult.themes.text``, the vectors in ``consult.themes.vectors``. docs/analysis.md
explains the choices and gives the figures.
"""

from consult.themes.seeded import Match
from consult.themes.seeded import match_themes
from consult.themes.suggest import Suggestions
from consult.themes.suggest import Theme
from consult.themes.suggest import suggest_themes

__all__ = ["Match", "Suggestions", "Theme", "match_themes", "suggest_themes"]
