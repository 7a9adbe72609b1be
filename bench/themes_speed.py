"""Speed of theme suggestions. Run: .venv/bin/python -m bench.themes_speed [--inputs 10000].

Makes ``--inputs`` distinct synthetic Danish inputs from the demo's phrase bank
(consult/demo/phrases.yaml) and the labelled set: one to three sentences drawn at random,
a typo in some words, æ/ø/å written ae/oe/aa in some texts. Then times suggest_themes with
k chosen and with k given, and match_themes with ten named themes of three examples each.
Results go in docs/analysis.md; no test asserts a time.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from bench.themes_quality import load
from consult.themes import match_themes
from consult.themes import semantic
from consult.themes import suggest_themes

PHRASES = Path(__file__).resolve().parent.parent / "consult" / "demo" / "phrases.yaml"
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def sentences() -> list[str]:
    """Return every sentence of the phrase bank and the labelled set."""
    texts = list(_strings(yaml.safe_load(PHRASES.read_text(encoding="utf-8"))))
    texts += [row["text"] for row in load()]
    return [s for text in texts for s in SENTENCE.split(text) if len(s.split()) >= 3]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1 :] if rng.random() < 0.5 else word[:at] + word[at] + word[at:]


def synthetic(count: int, seed: int = 7) -> list[tuple[int, str]]:
    """Return ``count`` inputs (id, text) made from random sentences with noise."""
    rng = random.Random(seed)
    pool = sentences()
    items = []
    for id_ in range(1, count + 1):
        words = " ".join(rng.sample(pool, rng.choice((1, 1, 2, 3)))).split()
        text = " ".join(_typo(w, rng) if rng.random() < 0.05 else w for w in words)
        if rng.random() < 0.1:
            text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
        items.append((id_, text))
    return items


def timed(label: str, call):
    start = time.perf_counter()
    result = call()
    print(f"{label}: {time.perf_counter() - start:.1f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    items = synthetic(args.inputs)
    words = sum(len(text.split()) for _, text in items)
    print(f"{len(items)} inputs, {words / len(items):.0f} words each on average")
    print(f"sentence vectors: {'yes' if semantic.wanted(len(items), None) else 'no'}")
    chosen = timed("suggest, k chosen", lambda: suggest_themes(items))
    print(f"  k = {chosen.k}; sizes {[theme.size for theme in chosen.themes]}")
    for theme in chosen.themes[:5]:
        print(f"  {theme.size:5d}  {theme.label}")
    timed(f"suggest, k = {args.k} given", lambda: suggest_themes(items, args.k))
    rng = random.Random(1)
    ids = rng.sample([id_ for id_, _ in items], 30)
    examples = {f"tema {n}": ids[3 * n : 3 * n + 3] for n in range(10)}
    timed("seed, 10 themes x 3 examples", lambda: match_themes(items, examples))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
