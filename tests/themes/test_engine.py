"""The theme engine on small corpora made for each test: suggestions and seeded matching."""

from __future__ import annotations

import pytest

from consult.themes import match_themes
from consult.themes import suggest_themes
from consult.themes.suggest import choose_k
from consult.themes.vectors import vectorise

WAITING = [
    "Ventetiden på operationen er alt for lang",
    "Jeg har ventet på en operation i otte måneder",
    "Ventelisten til operation skal gøres kortere",
    "Vi venter og venter på en operation af hoften",
    "Lang ventetid på operation af knæet",
    "ventetiden paa operationer er uholdbar",
]
TRANSPORT = [
    "Kørsel til hospitalet tager to timer med bus",
    "Bussen til hospitalet kører for sjældent",
    "Der er ingen bus til hospitalet om aftenen",
    "Patientbefordringen og kørsel til hospitalet virker ikke",
    "Gratis kørsel til hospitalet for dem uden bil",
    "koersel med bus til hospitalet er besværlig",
]
PSYCHIATRY = [
    "Psykiatrien mangler sengepladser til unge med angst",
    "Unge med angst venter på psykiatrien",
    "Børne- og ungdomspsykiatrien skal styrkes, angst fylder",
    "Psykiatrien sender unge med angst hjem for tidligt",
    "Angst hos unge kræver mere psykiatri",
    "psykiatrien og angst blandt unge",
]
CORPUS = WAITING + TRANSPORT + PSYCHIATRY
ITEMS = [(f"w{i}", t) for i, t in enumerate(WAITING)]
ITEMS += [(f"t{i}", t) for i, t in enumerate(TRANSPORT)]
ITEMS += [(f"p{i}", t) for i, t in enumerate(PSYCHIATRY)]


def test_suggests_the_three_themes_of_a_clear_corpus():
    suggestions = suggest_themes(ITEMS, 3)
    groups = {frozenset(id_[0] for id_ in theme.ids) for theme in suggestions.themes}
    assert groups == {frozenset("w"), frozenset("t"), frozenset("p")}
    assert [theme.size for theme in suggestions.themes] == [6, 6, 6]
    assert suggestions.k == 3 and not suggestions.chosen


def test_labels_are_the_themes_words_as_people_wrote_them():
    themes = {theme.ids[0][0]: theme for theme in suggest_themes(ITEMS, 3).themes}
    assert "operation" in themes["w"].words
    assert "hospitalet" in themes["t"].words
    assert {"angst", "psykiatrien"} <= set(themes["p"].words)
    assert themes["p"].label == ", ".join(themes["p"].words)
    assert all(word.isalpha() and word == word.lower() for t in themes.values() for word in t.words)


def test_members_are_scored_and_the_most_central_are_quoted():
    for theme in suggest_themes(ITEMS, 3).themes:
        scores = [theme.scores[id_] for id_ in theme.ids]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < score <= 1 for score in scores)
        assert theme.quotes == theme.ids[:3]


def test_the_same_input_gives_the_same_themes():
    first, second = suggest_themes(ITEMS), suggest_themes(list(ITEMS))
    assert first == second


def test_chooses_k_within_the_range_when_not_given():
    suggestions = suggest_themes(ITEMS, k_range=(2, 5))
    assert suggestions.chosen and 2 <= suggestions.k <= 5
    assert sum(theme.size for theme in suggestions.themes) == len(ITEMS)


def test_the_silhouette_picks_the_number_of_clear_groups():
    assert choose_k(vectorise(CORPUS).matrix, (2, 6)) == 3


def test_input_without_usable_words_is_left_unassigned():
    suggestions = suggest_themes([*ITEMS, ("ok", "Ok!"), ("dots", "… 123"), ("none", "")], 3)
    assert set(suggestions.unassigned) == {"ok", "dots", "none"}
    assert "ok" not in suggestions.theme_of()


def test_asks_for_no_more_themes_than_inputs():
    suggestions = suggest_themes(ITEMS[:2], 5)
    assert suggestions.k == 2


def test_nothing_to_group_gives_no_themes():
    assert suggest_themes([]).themes == []
    assert suggest_themes([(1, "og det er")]).unassigned == (1,)


def test_ids_must_be_unique():
    with pytest.raises(ValueError, match="own id"):
        suggest_themes([(1, "ventetid"), (1, "kørsel")])


EXAMPLES = {"Ventetider": ["w0", "w1"], "Transport": ["t0", "t1"], "Psykiatri": ["p0", "p1"]}


def test_seeded_matching_ranks_every_other_input_against_every_theme():
    matches = match_themes(ITEMS, EXAMPLES)
    assert {m.id for m in matches} == {id_ for id_, _ in ITEMS} - {
        "w0",
        "w1",
        "t0",
        "t1",
        "p0",
        "p1",
    }
    expected = {"w": "Ventetider", "t": "Transport", "p": "Psykiatri"}
    assert all(m.theme == expected[m.id[0]] for m in matches)
    for m in matches:
        assert set(m.scores) == set(EXAMPLES) and m.score == max(m.scores.values())
        assert 0 < m.score <= 1


def test_seeded_matching_says_which_words_made_it_match():
    (match,) = [m for m in match_themes(ITEMS, EXAMPLES) if m.id == "t4"]
    assert "hospitalet" in match.words and "kørsel" in match.words


def test_seeded_matching_tolerates_ae_oe_aa_spellings_and_typos():
    items = [*ITEMS, ("x1", "ventetidne paa operasjonen"), ("x2", "koersel til hospitalt")]
    matches = {m.id: m for m in match_themes(items, EXAMPLES)}
    assert matches["x1"].theme == "Ventetider"
    assert matches["x2"].theme == "Transport"


def test_a_themes_name_counts_as_a_hint():
    items = [*ITEMS, ("x", "Tandpleje er for dyr"), ("y", "Tandpleje til ældre")]
    examples = {**EXAMPLES, "Tandpleje": ["y"]}
    matches = {m.id: m for m in match_themes(items, examples)}
    assert matches["x"].theme == "Tandpleje"
    without = {m.id: m for m in match_themes(items, examples, use_names=False)}
    assert without["x"].score < matches["x"].score


def test_input_without_usable_words_gets_no_theme():
    (match,) = [m for m in match_themes([*ITEMS, ("ok", "Ok")], EXAMPLES) if m.id == "ok"]
    assert match.theme is None and match.score == 0 and match.words == ()


@pytest.mark.parametrize(
    ("examples", "says"),
    [
        ({}, "at least one theme"),
        ({"Ventetider": []}, "has no example"),
        ({"Ventetider": ["nope"]}, "not inputs"),
    ],
)
def test_seeded_matching_refuses_bad_examples(examples, says):
    with pytest.raises(ValueError, match=says):
        match_themes(ITEMS, examples)
