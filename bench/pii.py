"""Benchmark: the personal-data guard. Run: .venv/bin/python -m bench.pii [--seconds 3].

Prints precision and recall per kind on tests/data/personal_data.jsonl (the same scoring as
tests/moderation/test_pii.py, which asserts the floors), then the throughput of
``find_personal_data`` in texts per CPU second, single-threaded, on three corpora: the demo's
made-up input (consult/demo/phrases.yaml, what the guard mostly reads), the labelled texts one
by one (short, and nearly all with personal data or a health word) and paragraphs of eight of
them (~500 characters, the worst case). No test asserts a time.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import yaml

from consult.moderation.pii import find_personal_data
from tests.moderation.test_pii import load_set
from tests.moderation.test_pii import score


def throughput(texts: list[str], seconds: float) -> float:
    """Return how many texts per CPU second find_personal_data reads, the best of three runs.

    CPU time, not wall time, so other work on a shared machine does not count against it.
    """
    best = 0.0
    for _ in range(3):
        done, started = 0, time.process_time()
        while (elapsed := time.process_time() - started) < seconds / 3:
            for text in texts:
                find_personal_data(text)
            done += len(texts)
        best = max(best, done / elapsed)
    return best


def demo_texts() -> list[str]:
    """Return every text of the demo's phrase bank."""
    path = Path(__file__).parent.parent / "consult" / "demo" / "phrases.yaml"
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict | list):
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [text for text in found if len(text) > 20]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="time per corpus")
    args = parser.parse_args()

    examples = load_set()
    print(score(examples).report())

    short = [e["text"] for e in examples]
    rng = random.Random(11)
    long = [" ".join(rng.sample(short, 8)) for _ in range(len(short))]
    for name, texts in (("demo input", demo_texts()), ("labelled", short), ("paragraphs", long)):
        chars = sum(map(len, texts)) / len(texts)
        rate = throughput(texts, args.seconds)
        print(f"{name:<10} {len(texts):4d} texts ~{chars:4.0f} chars  {rate:9,.0f} texts/s")


if __name__ == "__main__":
    main()
