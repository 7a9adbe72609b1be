"""The personal-data guard: measured on a labelled set, plus the cases that must never slip."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
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
    assert len(examples) >= 700
    assert {e["lang"] for e in examples} == {"da", "en"}
    assert len({e["text"] for e in examples}) == len(examples)
    positives = sum(bool(e["spans"]) for e in examples)
    assert 0.3 * len(examples) < positives < 0.7 * len(examples)
    spans = Counter(s["kind"] for e in examples for s in e["spans"])
    assert set(spans) == set(Kind) and min(spans.values()) >= 30


@dataclass
class Score:
    """Flags found and expected per kind, matched when they overlap, with what went wrong."""

    predicted: Counter = field(default_factory=Counter)
    matched_predicted: Counter = field(default_factory=Counter)
    gold: Counter = field(default_factory=Counter)
    matched_gold: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)
    false_flags: list = field(default_factory=list)

    def precision(self, kind: Kind | None = None) -> float:
        if kind is None:
            return ratio(sum(self.matched_predicted.values()), sum(self.predicted.values()))
        return ratio(self.matched_predicted[kind], self.predicted[kind])

    def recall(self, kind: Kind | None = None) -> float:
        if kind is None:
            return ratio(sum(self.matched_gold.values()), sum(self.gold.values()))
        return ratio(self.matched_gold[kind], self.gold[kind])

    def report(self) -> str:
        lines = ["kind          precision  recall  (predicted / gold)"]
        for kind in Kind:
            lines.append(
                f"{kind:<13} {self.precision(kind):9.3f} {self.recall(kind):7.3f}"
                f"  ({self.predicted[kind]} / {self.gold[kind]})"
            )
        lines.append(f"{'overall':<13} {self.precision():9.3f} {self.recall():7.3f}")
        lines += [f"missed {kind}: {text}" for kind, text in self.misses]
        lines += [f"false {kind}: {text!r} in {whole}" for kind, text, whole in self.false_flags]
        return "\n".join(lines)


def score(examples: list[dict]) -> Score:
    """Compare find_personal_data with the labels of each example."""
    result = Score()
    for example in examples:
        expected = gold_flags(example)
        found = find_personal_data(example["text"])
        for flag in found:
            result.predicted[flag.kind] += 1
            if any(overlaps(flag, g) for g in expected):
                result.matched_predicted[flag.kind] += 1
            else:
                span = example["text"][flag.start : flag.end]
                result.false_flags.append((flag.kind, span, example["text"]))
        for flag in expected:
            result.gold[flag.kind] += 1
            if any(overlaps(flag, f) for f in found):
                result.matched_gold[flag.kind] += 1
            else:
                result.misses.append((flag.kind, example["text"]))
    return result


def test_precision_and_recall_on_labelled_set():
    result = score(load_set())
    print("\n" + result.report())

    # The aim on unseen text is recall 0.97 overall and 0.99 for numbers, at precision 0.95;
    # the labelled set holds the hard cases, so it must do at least that well.
    assert result.recall() >= 0.98
    assert result.recall(Kind.CPR) >= 0.99
    assert result.recall(Kind.PHONE) >= 0.99
    assert result.recall(Kind.EMAIL) >= 0.99
    assert result.recall(Kind.HEALTH_NAME) >= 0.97
    assert result.precision() >= 0.97
    for kind in Kind:
        assert result.precision(kind) >= 0.95, kind


def kinds(text: str) -> list[tuple[str, Kind]]:
    return [(text[f.start : f.end], f.kind) for f in find_personal_data(text)]


@pytest.mark.parametrize(
    "number",
    [
        "010190-1234",
        "0101901234",
        "010190 1234",
        "290200-1234",
        "010190 - 1234",
        "010190–1234",
        "01 01 90 1234",
        "01-01-90-1234",
        "0101 90 1234",
        # Issued after 2007: fails the old modulus-11 check, and is still a CPR number.
        "010190-1235",
    ],
)
def test_cpr_with_a_real_date_is_flagged(number):
    assert kinds(f"Mit cpr er {number}.") == [(number, Kind.CPR)]


@pytest.mark.parametrize(
    "number", ["320190-1234", "011390-1234", "290201-1234", "0101901234567", "00 01 90 1234"]
)
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
        "22.33.44.55",
        "+45 12 34 56 78",
        "0045 12345678",
        "12 34 56 78",
        "1234 5678",
        "12-34-56-78",
        "+45-40123456",
        "0045-22334455",
        "(0045) 22334455",
    ],
)
def test_phone_spacings_are_flagged(phone):
    assert kinds(f"Ring til mig på {phone}, tak.") == [(phone, Kind.PHONE)]
    assert kinds(f"Du kan få fat i mig på {phone}.") == [(phone, Kind.PHONE)]


@pytest.mark.parametrize("phone", ["2233-4455", "12345678"])
def test_numbers_that_look_like_ranges_count_only_after_a_phone_word(phone):
    for cue in ("Tlf.", "Ring til mig på", "Min mobil er", "Call me on"):
        assert kinds(f"{cue} {phone}.") == [(phone, Kind.PHONE)]
    assert kinds(f"Tallet {phone} står i tabellen.") == []


@pytest.mark.parametrize(
    "address", ["jens.hansen(at)gmail.com", "mette [at] example [dot] dk", "j.holm (at) mail.dk"]
)
def test_spelled_out_emails_are_flagged(address):
    assert kinds(f"Skriv til {address}, tak.") == [(address, Kind.EMAIL)]


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
        "Henvis til j.nr. 2023-123456 i alle henvendelser.",
        "Sagsnr. 12-34-56-78 bedes oplyst.",
        "Det samlede beløb er 1.234.567 kr.",
        "Budgettet er 12 345 678 kr.",
        "I uge 12 holder klinikken lukket.",
        "Postnumrene 2600-2690 og 2650 Hvidovre.",
        "Vi har tal fra 1995, 2005 og 2015 og for perioden 2024 2027.",
        "Mødet er flyttet til 12-03-2024 kl. 14, og fristen er 01.02.2025.",
        "Ring 1813 eller 112.",
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


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Min søn Oliver fik konstateret DM2 som 14-årig.", "Oliver"),
        ("Jens' KOL er blevet meget værre.", "Jens'"),
        ("Lise er KOL-patient.", "Lise"),
        ("Mette har PTSD efter udsendelsen.", "Mette"),
        ("Min mand Bent fik ALS for to år siden.", "Bent"),
        ("Min kone Lise har MS.", "Lise"),
        ("Min nevø Felix har T1D.", "Felix"),
        ("Min far Erik har type 2 og går til fodterapeut.", "Erik"),
        ("Karins ADHD-medicin blev ikke fornyet.", "Karins"),
    ],
)
def test_names_next_to_abbreviations_are_flagged(text, name):
    assert kinds(text) == [(name, Kind.HEALTH_NAME)]


@pytest.mark.parametrize(
    "text",
    [
        "Jens bor på Als og cykler hver dag.",
        "Mette kom med en kold kop kaffe.",
        "Jens skrev ms. på manuskriptet.",
    ],
)
def test_abbreviations_count_only_in_capitals(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jeg blev behandlet af dr. Anders Bech for anoreksi.", "Anders Bech"),
        ("Overlæge Hansen sagde, at min kræft var væk.", "Hansen"),
        ("Sygeplejerske Mette gav min far forkert medicin.", "Mette"),
        ("Professor Jensen opererede min mor for en hjernetumor.", "Jensen"),
        ("Ergoterapeut Line hjalp min mand efter hans blodprop.", "Line"),
        ("Min læge Jens Berg henviste mig til udredning for ADHD.", "Jens Berg"),
        ("Lægen, Jens Holm, sagde, at min mor havde en blodprop.", "Jens Holm"),
        ("Nurse Brown told us that my father's dementia was getting worse.", "Brown"),
        ("Vi talte med Mette fra kommunen om min søns ADHD.", "Mette"),
    ],
)
def test_professionals_named_next_to_someones_own_health_are_flagged(text, name):
    assert kinds(text) == [(name, Kind.HEALTH_NAME)]


@pytest.mark.parametrize(
    "text",
    [
        "Overlæge Anne Holm forsker i behandling af KOL.",
        "Professor Jens Nielsen holdt et oplæg om ADHD hos voksne.",
        "Dr. Smith explained the new treatment for diabetes.",
        "Sundhedsminister Sophie Løhde besøgte en afdeling for patienter med ALS.",
        "Borgmester Jens Hansen åbnede det nye demenscenter.",
        "The Mayor, John Olsen, opened the new cancer centre for my mother.",
        "Birgitte Nielsen, formand for Ældre Sagen, talte om min mors demens.",
        "Formand for Lægeforeningen, Camilla Rathcke, talte om lægemangel og KOL.",
        "Henrik fra Alzheimerforeningen holdt et godt oplæg om demens.",
        "Mette Frederiksen har lovet en reform af psykiatrien.",
    ],
)
def test_professionals_and_office_holders_at_work_are_not_flagged(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("min mor inge har demens", "inge"),
        ("min søn oliver har adhd", "oliver"),
        ("hr. jensen har ikke fået sin insulin", "jensen"),
        ("Min mor hedder Ingelise og har Alzheimers.", "Ingelise"),
        ("Min bonusdatter Liva har diabetes.", "Liva"),
        ("Jack, who has ADHD, was excluded from school.", "Jack"),
        ("Hendes anoreksi blev først opdaget, da Sofie besvimede i skolen.", "Sofie"),
        ("Ole fra nr. 14 har demens.", "Ole"),
        ("Gitte fra opgangen har brystkræft.", "Gitte"),
    ],
)
def test_names_in_lowercase_after_a_relative_or_a_few_words_away_are_flagged(text, name):
    assert kinds(text) == [(name, Kind.HEALTH_NAME)]


@pytest.mark.parametrize(
    "text",
    [
        "min far ane ikke, at han havde sukkersyge",
        "Min mor har demens, og hun bor i Hvidovre.",
        "I marts og april steg antallet af indlæggelser med KOL.",
        "Mandag er der rådgivning for pårørende til mennesker med demens.",
        "In May and June the number of COPD admissions fell.",
        "Diabetes, KOL og hjertesygdomme er de største udfordringer.",
        "Danske Patienter og Region Hovedstaden har drøftet KOL-rehabilitering.",
        "Hvidovre Hospital og Bispebjerg Hospital behandler mange med ADHD.",
        "Hans Christian Andersen Børnehospital behandler børn med kræft.",
        "Frederik den Niendes Plejehjem har en afdeling for demente.",
        "Peter Plys-rummet på børneafdelingen er for børn med kræft.",
        "Sankt Lukas Stiftelsen driver et hospice i Hellerup.",
        "Lægehuset Nørrebro har lukket for nye patienter med diabetes.",
        "Min praktiserende læge har lukket for nye patienter med KOL.",
        "Sophie from the secretariat sent us the material on dementia care.",
    ],
)
def test_places_organisations_months_and_sentence_starts_are_not_flagged(text):
    assert kinds(text) == []


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


def test_word_lists_are_read_once_at_import(monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("the guard read a file while checking a text")

    monkeypatch.setattr(Path, "read_text", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    text = "Min far Jens Olsen har KOL; ring 22 33 44 55 eller jens@example.dk (cpr 010190-1234)."
    assert [kind for _, kind in kinds(text)] == [
        Kind.HEALTH_NAME,
        Kind.PHONE,
        Kind.EMAIL,
        Kind.CPR,
    ]


def test_a_long_pasted_document_is_read_whole():
    """Every flag of a long document is found (its speed is measured in bench/pii.py)."""
    text = "Min far Jens Hansen har KOL, ring 22 33 44 55 eller skriv jens@example.dk. " * 5000
    flags = find_personal_data(text)
    assert len(flags) == 15_000
    assert {flag.kind for flag in flags} == {Kind.HEALTH_NAME, Kind.PHONE, Kind.EMAIL}


def test_highlight_marks_the_flagged_segments():
    text = "Ring 22 33 44 55 eller skriv."
    assert highlight(text, find_personal_data(text)) == [
        ("Ring ", None),
        ("22 33 44 55", Kind.PHONE),
        (" eller skriv.", None),
    ]
    assert highlight(text, []) == [(text, None)]
    assert highlight("", []) == []
