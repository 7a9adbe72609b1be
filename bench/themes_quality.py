"""Quality of theme suggestions on the labelled set. Run: .venv/bin/python -m bench.themes_quality

Reads tests/data/themes_labelled.jsonl (240 short Danish inputs, 10 themes) and
tests/data/themes_labelled_2.jsonl (220 inputs, 10 other themes) and prints for each the
adjusted Rand index and purity of the suggested themes (with k = the number of themes, and
with k chosen by the engine), the same for a plain bag-of-words k-means baseline, and the
seeded accuracy with ``--examples`` examples a theme, averaged over ``--draws`` random
choices of examples (with and without the themes' names); each with the language model's
sentence vectors (as the engine runs up to 1,000 inputs) and with words only (above that).
Both labelled sets unless ``--set 1`` or ``--set 2``. Results go in docs/analysis.md;
tests/themes/test_quality.py holds a floor under each.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections.abc import Hashable
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix

from consult.themes import match_themes
from consult.themes import suggest_themes

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
#: The first labelled set (the themes of issue 13) and the second (other parts of a
#: sundhedsaftale, written later and kept for checking what was tuned on the first).
DATA = DATA_DIR / "themes_labelled.jsonl"
DATA_2 = DATA_DIR / "themes_labelled_2.jsonl"
SETS = {"1": DATA, "2": DATA_2}


def load(path: Path = DATA) -> list[dict]:
    """Return the labelled rows: {"id", "text", "theme"}."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def purity(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Return the share of inputs in their cluster's most common true theme."""
    table = contingency_matrix(list(truth), list(predicted))
    return float(table.max(axis=0).sum() / table.sum())


def engine_clusters(
    rows: list[dict], k: int | None, semantic: bool | None = None
) -> tuple[list[int], int]:
    """Return each row's suggested theme (-1 when unassigned) and the k used."""
    suggestions = suggest_themes([(row["id"], row["text"]) for row in rows], k, semantic=semantic)
    theme_of = suggestions.theme_of()
    return [theme_of.get(row["id"], -1) for row in rows], suggestions.k


def baseline_clusters(rows: list[dict], k: int, seed: int = 0) -> list[int]:
    """Plain bag of words (word counts, no stemming, no stop words) and k-means."""
    counts = CountVectorizer().fit_transform([row["text"] for row in rows])
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(counts).tolist()


def seeded_accuracy(
    rows: list[dict],
    examples: int = 3,
    draws: int = 10,
    use_names: bool = True,
    semantic: bool | None = None,
) -> tuple[float, float]:
    """Return the mean and standard deviation of the share of non-examples matched rightly."""
    items = [(row["id"], row["text"]) for row in rows]
    truth = {row["id"]: row["theme"] for row in rows}
    themes = sorted(set(truth.values()))
    scores = []
    for draw in range(draws):
        rng = random.Random(draw)
        chosen = {
            theme: rng.sample([row["id"] for row in rows if row["theme"] == theme], examples)
            for theme in themes
        }
        matches = match_themes(items, chosen, use_names=use_names, semantic=semantic)
        scores.append(float(np.mean([match.theme == truth[match.id] for match in matches])))
    return statistics.mean(scores), statistics.pstdev(scores)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--set", choices=sorted(SETS), action="append", dest="sets")
    args = parser.parse_args()
    for name in args.sets or sorted(SETS):
        report(SETS[name], args.examples, args.draws)


def report(path: Path, examples: int, draws: int) -> None:
    rows = load(path)
    truth = [row["theme"] for row in rows]
    k = len(set(truth))
    print(f"\nlabelled set {path.name}: {len(rows)} inputs, {k} themes")
    print("| method | k | ARI | purity |")
    print("|---|---|---|---|")
    baseline = [baseline_clusters(rows, k, seed) for seed in range(3)]
    print(
        f"| bag of words + k-means (3 seeds) | {k} "
        f"| {statistics.mean(adjusted_rand_score(truth, b) for b in baseline):.3f} "
        f"| {statistics.mean(purity(truth, b) for b in baseline):.3f} |"
    )
    for semantic, what in ((True, "with sentence vectors"), (False, "words only")):
        for given in (k, None):
            clusters, used = engine_clusters(rows, given, semantic)
            how = "given" if given else "chosen"
            print(
                f"| consult.themes, {what} | {used} ({how}) "
                f"| {adjusted_rand_score(truth, clusters):.3f} | {purity(truth, clusters):.3f} |"
            )
    for semantic, what in ((True, "with sentence vectors"), (False, "words only")):
        for use_names in (True, False):
            mean, spread = seeded_accuracy(rows, examples, draws, use_names, semantic)
            names = "with" if use_names else "without"
            print(
                f"seeded accuracy, {what}, {examples} examples a theme, {names} names, "
                f"{draws} draws: {mean:.3f} ± {spread:.3f}"
            )


if __name__ == "__main__":
    main()
