"""Danish text handling: folding, stop words, stems, compound parts, surface forms."""

from __future__ import annotations

import pytest

from consult.themes.text import analyse
from consult.themes.text import fold
from consult.themes.text import stop_words


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Pårørende", "paaroerende"),
        ("PAAROERENDE", "paaroerende"),
        ("Lægedækning", "laegedaekning"),
        ("Århus", "aarhus"),
        ("Aarhus", "aarhus"),
        ("café", "cafe"),
        ("Köln", "koeln"),
    ],
)
def test_folds_danish_letters_and_accents_the_same_way_on_both_sides(written, folded):
    assert fold(written) == folded


def test_ae_oe_aa_spellings_give_the_same_terms_as_the_danish_letters():
    danish, ascii_ = analyse(["Pårørende får lægehjælp", "Paaroerende faar laegehjaelp"]).terms
    assert danish == ascii_ and danish


def test_inflections_share_a_stem():
    terms = analyse(["ventetiden", "ventetider", "ventetid"]).terms
    assert terms[0][0] == terms[1][0] == terms[2][0]


def test_stop_words_are_shipped_folded_and_left_out():
    assert {"og", "ogsaa", "paa", "naar"} <= stop_words()
    (terms,) = analyse(["Og så er der også ventetiden på det"]).terms
    assert terms == analyse(["ventetiden"]).terms[0]


def test_a_compound_shares_terms_with_the_words_it_is_made_of():
    analysis = analyse(["Hjemmesygeplejen kom ikke", "Sygeplejen svigter", "Hjemme er bedst"])
    compound, tail, head = analysis.terms
    assert tail[0] in compound and head[0] in compound


def test_linking_s_joins_compound_parts():
    analysis = analyse(["Befordringsgodtgørelse blev afvist", "Befordring", "Godtgørelse"])
    compound, first, second = analysis.terms
    assert first[0] in compound and second[0] in compound


def test_word_endings_are_never_split_off_as_parts():
    # "pårør|ende", "menn|esker" and "syge|lighed" would invent shared terms.
    analysis = analyse(["pårørende", "ende", "sygelighed", "lighed", "syge", "mennesker", "sker"])
    assert len(analysis.terms[0]) == 1
    assert len(analysis.terms[2]) == 1
    assert len(analysis.terms[5]) == 1


def test_compounds_can_be_left_whole():
    analysis = analyse(["Hjemmesygeplejen", "Sygeplejen"], compounds=False)
    assert len(analysis.terms[0]) == 1


def test_labels_show_the_form_people_wrote_most_often():
    analysis = analyse(["pårørende", "Pårørende", "paaroerende", "pårørendes"])
    (stem,) = analysis.terms[0]
    assert analysis.surface[stem] == "pårørende"


def test_the_plain_text_for_character_ngrams_is_folded_without_stop_words():
    (plain,) = analyse(["Vi venter på en tid hos øjenlægen"]).plain
    assert plain == "venter tid oejenlaegen"
