"""The personal-data guard: measured on a labelled set, plus the cases that must never slip."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from consult.moderation.pii import Flag
from consult.moderation.pii import Kind
from consult.moderation.pii import find_personal_data
from consult.moderation.pii import highlight

DATA = Path(__file__).parent.parent / "data" / "personal_data.jsonl"


def load_set() -> list[dict]:
    with DATA.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def gold_flags(example: dict) -> list[Flag]:
    """Turn the labelled span texts into offsets; a repeated text takes its next occurrence."""
    text, flags, searched_from = example["text"], [], Counter()
    for span in example["spans"]:
        start = text.index(span["text"], searched_from[span["text"]])
        searched_from[span["text"]] = start + 1
        flags.append(Flag(start, start + len(span["text"]), Kind(span["kind"])))
    return flags


def overlaps(a: Flag, b: Flag) -> bool:
    return a.kind == b.kind and a.start < b.end and b.start < a.end


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def test_labelled_set_is_big_and_balanced():
    examples = load_set()
    assert len(examples) >= 150
    assert {e["lang"] for e in examples} == {"da", "en"}
    positives = sum(bool(e["spans"]) for e in examples)
    assert 0 < positives < len(examples)
    assert {s["kind"] for e in examples for s in e["spans"]} == set(Kind)


def test_precision_and_recall_on_labelled_set():
    predicted, matched_predicted, gold, matched_gold = Counter(), Counter(), Counter(), Counter()
    misses, false_flags = [], []
    for example in load_set():
        expected = gold_flags(example)
        found = find_personal_data(example["text"])
        for flag in found:
            predicted[flag.kind] += 1
            if any(overlaps(flag, g) for g in expected):
                matched_predicted[flag.kind] += 1
            else:
                false_flags.append((flag.kind, example["text"][flag.start : flag.end]))
        for flag in expected:
            gold[flag.kind] += 1
            if any(overlaps(flag, f) for f in found):
                matched_gold[flag.kind] += 1
            else:
                misses.append((flag.kind, example["text"]))

    print("\nkind          precision  recall  (predicted / gold)")
    for kind in Kind:
        precision = ratio(matched_predicted[kind], predicted[kind])
        recall = ratio(matched_gold[kind], gold[kind])
        print(f"{kind:<13} {precision:9.3f} {recall:7.3f}  ({predicted[kind]} / {gold[kind]})")
    precision = ratio(sum(matched_predicted.values()), sum(predicted.values()))
    recall = ratio(sum(matched_gold.values()), sum(gold.values()))
    print(f"{'overall':<13} {precision:9.3f} {recall:7.3f}")
    for kind, text in misses:
        print(f"missed {kind}: {text}")
    for kind, text in false_flags:
        print(f"false {kind}: {text!r}")

    assert recall >= 0.98
    assert precision >= 0.90


def kinds(text: str) -> list[tuple[str, Kind]]:
    return [(text[f.start : f.end], f.kind) for f in find_personal_data(text)]


@pytest.mark.parametrize("number", ["010190-1234", "0101901234", "010190 1234", "290200-1234"])
def test_cpr_with_a_real_date_is_flagged(number):
    assert kinds(f"Mit cpr er {number}.") == [(number, Kind.CPR)]


@pytest.mark.parametrize("number", ["320190-1234", "011390-1234", "290201-1234", "0101901234567"])
def test_cpr_look_alikes_are_not_flagged(number):
    assert kinds(f"Nummeret {number} står i brevet.") == []


@pytest.mark.parametrize(
    "phone",
    [
        "22334455",
        "22 33 44 55",
        "2233 4455",
        "+45 22 33 44 55",
        "+4522334455",
        "0045 22 33 44 55",
        "(+45) 22 33 44 55",
        "22-33-44-55",
    ],
)
def test_phone_spacings_are_flagged(phone):
    assert kinds(f"Ring til mig på {phone}, tak.") == [(phone, Kind.PHONE)]


@pytest.mark.parametrize(
    "text",
    [
        "Det koster kr. 12.345.678 om året.",
        "Regionen afsætter 2.000.000 kr. til forsøget.",
        "Projektet fik 35000000 kr. fra puljen.",
        "Aftalen gælder 2024–2027 og 2024-2027.",
        "Fristen er 12.03.2024 kl. 8-16.",
        "Se sagsnr. 45123456 og CVR-nr. 31234567.",
        "Faktura 40512345 er betalt; ref. 45678912.",
        "Indbetal på reg.nr. 9570 kontonr. 45671234.",
    ],
)
def test_amounts_dates_and_references_are_not_flagged(text):
    assert kinds(text) == []


def test_name_is_flagged_only_next_to_a_health_word():
    assert kinds("Min far, Jens Nielsen, fik konstateret KOL sidste år.") == [
        ("Jens Nielsen", Kind.HEALTH_NAME)
    ]
    assert kinds("Lars Løkke talte om økonomi.") == []
    assert kinds("Min mor har demens.") == []
    assert kinds("Psykiatrifonden og Kræftens Bekæmpelse svarede Region Hovedstaden.") == []


def test_overlapping_detectors_keep_the_stronger_kind():
    text = "Skriv til Mette.Larsen@example.dk om Mettes diabetes."
    assert kinds(text) == [
        ("Mette.Larsen@example.dk", Kind.EMAIL),
        ("Mettes", Kind.HEALTH_NAME),
    ]


@pytest.mark.parametrize("example", load_set()[::7], ids=lambda e: e["text"][:30])
def test_highlight_gives_back_the_text(example):
    text = example["text"]
    segments = highlight(text, find_personal_data(text))
    assert "".join(segment for segment, _ in segments) == text
    assert all(segment for segment, _ in segments)


def test_highlight_marks_the_flagged_segments():
    text = "Ring 22 33 44 55 eller skriv."
    assert highlight(text, find_personal_data(text)) == [
        ("Ring ", None),
        ("22 33 44 55", Kind.PHONE),
        (" eller skriv.", None),
    ]
    assert highlight(text, []) == [(text, None)]
    assert highlight("", []) == []
