"""Duplicate groups: identical and near-identical texts, campaigns kept across regroupings."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select
from sqlalchemy import update

from consult.analysis.duplicates import find_duplicates
from consult.analysis.duplicates import group_texts
from consult.analysis.duplicates import normalise
from consult.analysis.models import DuplicateGroup
from consult.extensions import db
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from consult.responses.services import withdraw_response
from tests.factories import make_consultation
from tests.factories import make_response

CAMPAIGN = (
    "Vi kræver flere senge på sygehusene i regionen, så ingen ældre borger skal udskrives "
    "før tid til en kommune der ikke er klar til at tage imod."
)
OTHER_SUBJECT_TEXTS = [
    "Sygehusene i regionen mangler senge, og det rammer de ældre borgere hårdest, når de "
    "udskrives for tidligt og kommunen ikke er klar.",
    "Kommunen skal være klar til at tage imod ældre borgere fra sygehuset, ellers bliver de "
    "genindlagt inden for en uge, og så mangler der senge igen.",
    "Flere senge løser ikke problemet alene: der mangler sygeplejersker i regionen og "
    "hjemmeplejen i kommunen, så ældre kan komme trygt hjem.",
    "Regionen bør bruge pengene på akutpladser i kommunerne i stedet for flere senge på "
    "sygehusene, for de ældre vil hellere være tæt på hjemmet.",
]


def twenty_words() -> list[str]:
    words = (
        "regionen og kommunerne skal sikre at borgere med kroniske sygdomme får en fast "
        "kontaktperson og en plan for deres forløb"
    ).split()
    assert len(words) == 20
    return words


def changed(words: list[str], position: int, word: str = "altid") -> str:
    copy = list(words)
    copy[position] = word
    return " ".join(copy)


# --- group_texts ---------------------------------------------------------------------------


def test_normalise_drops_case_punctuation_and_extra_space():
    assert normalise("  Vi KRÆVER flere senge!!  Nu, tak…") == "vi kræver flere senge nu tak"
    assert normalise("e-mail_adresse") == "e mail adresse"


def test_punctuation_and_case_variants_are_identical():
    items = [
        (1, "Vi kræver flere senge på sygehuset nu!"),
        (2, "vi kræver flere senge på sygehuset nu"),
        (3, "VI KRÆVER  flere senge, på sygehuset - nu."),
        (4, "Regionen bør ansætte flere sygeplejersker i akutmodtagelsen."),
    ]
    assert group_texts(items) == [[1, 2, 3]]


@pytest.mark.parametrize("position", [0, 7, 19])
def test_one_word_changed_in_twenty_groups_with_the_original(position):
    words = twenty_words()
    items = [(1, " ".join(words)), (2, changed(words, position))]
    assert group_texts(items) == [[1, 2]]


def test_unrelated_texts_on_the_same_subject_do_not_group():
    items = list(enumerate([CAMPAIGN, *OTHER_SUBJECT_TEXTS], start=1))
    assert group_texts(items) == []


def test_short_texts_never_group():
    items = [(i, "Enig.") for i in range(50)]
    items += [(100 + i, "Helt enig i målet!") for i in range(50)]  # four words
    assert group_texts(items) == []


def test_min_words_is_the_shortest_text_that_groups():
    six = "en to tre fire fem seks"
    five = "en to tre fire fem"
    assert group_texts([(1, six), (2, six), (3, five), (4, five)]) == [[1, 2]]
    assert group_texts([(3, five), (4, five)], min_words=5) == [[3, 4]]


def test_groups_join_transitively():
    rng = random.Random(5)
    vocabulary = [f"ord{i}" for i in range(400)]
    a = [rng.choice(vocabulary) for _ in range(60)]
    b = list(a)
    c = list(a)
    for position in (5, 20, 35, 50):
        b[position] = "ændret"
    c = list(b)
    for position in (10, 25, 40, 55):
        c[position] = "igen"
    a_text, b_text, c_text = (" ".join(words) for words in (a, b, c))
    # A and C alone are too different; B links them.
    assert group_texts([(1, a_text), (3, c_text)]) == []
    assert group_texts([(1, a_text), (2, b_text)]) == [[1, 2]]
    assert group_texts([(2, b_text), (3, c_text)]) == [[2, 3]]
    assert group_texts([(1, a_text), (2, b_text), (3, c_text)]) == [[1, 2, 3]]


def test_groups_are_ordered_by_size_then_ids():
    words = twenty_words()
    small = "borgerne skal have en fast læge i hele regionen også på landet"
    items = [
        (9, small),
        (2, small),
        (5, " ".join(words)),
        (1, changed(words, 3)),
        (7, " ".join(words).upper() + "!"),
    ]
    assert group_texts(items) == [[1, 5, 7], [2, 9]]


def synthetic(n: int, seed: int) -> list[tuple[int, str]]:
    """Return ``n`` texts: two campaigns with small edits among unrelated texts."""
    rng = random.Random(seed)
    vocabulary = [f"ord{i}" for i in range(3000)]
    templates = [[rng.choice(vocabulary) for _ in range(40)] for _ in range(2)]
    texts = []
    for i in range(n):
        if i % 10 < 2:
            words = list(templates[i % 2])
            for _ in range(rng.randint(0, 2)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
        else:
            words = [rng.choice(vocabulary) for _ in range(rng.randint(3, 60))]
        texts.append(" ".join(words))
    return list(enumerate(texts, start=1))


def test_campaigns_are_found_among_many_texts():
    items = synthetic(3000, seed=2)
    groups = group_texts(items)
    assert [len(g) for g in groups] == [300, 300]
    assert {i for g in groups for i in g} == {i for i, _ in items if (i - 1) % 10 < 2}


def test_grouping_is_deterministic():
    items = synthetic(2000, seed=3)
    shuffled = list(items)
    random.Random(1).shuffle(shuffled)
    first = group_texts(items)
    assert group_texts(items) == first
    assert group_texts(shuffled) == first
    assert group_texts(items, seed=7) == group_texts(items, seed=7)


# --- find_duplicates ------------------------------------------------------------------------


@pytest.fixture
def consultation(ctx):
    load_reference_data()
    return make_consultation()


def respond(consultation, text: str | tuple[str, str, str], key: str = "fa-1-goal-1", **kw):
    return make_response(consultation, {key: text}, **kw)


def group_of(response) -> int | None:
    """Return the duplicate_group_id of the response's only input, as the database has it."""
    return db.session.scalar(
        select(Input.duplicate_group_id).where(Input.response_id == response.id)
    )


def groups_of(consultation) -> list[DuplicateGroup]:
    return list(
        db.session.scalars(
            select(DuplicateGroup)
            .where(DuplicateGroup.consultation_id == consultation.id)
            .order_by(DuplicateGroup.size.desc())
            .execution_options(populate_existing=True)
        )
    )


def point(responses, group: DuplicateGroup) -> None:
    """Make the responses' inputs members of ``group``, as an earlier grouping left them."""
    db.session.execute(
        update(Input)
        .where(Input.response_id.in_([r.id for r in responses]))
        .values(duplicate_group_id=group.id)
    )


def test_find_duplicates_writes_groups_and_sets_the_inputs(consultation):
    campaign = [
        respond(consultation, CAMPAIGN),
        respond(consultation, CAMPAIGN),
        respond(consultation, CAMPAIGN.upper().replace(",", "")),
        respond(consultation, CAMPAIGN.replace("ældre", "gamle"), key="fa-2-goal-1"),
    ]
    pair = [respond(consultation, OTHER_SUBJECT_TEXTS[0]) for _ in range(2)]
    alone = [respond(consultation, text) for text in OTHER_SUBJECT_TEXTS[1:]]
    short = [respond(consultation, "Enig.") for _ in range(3)]

    assert find_duplicates(consultation.id) == 2

    big, small = groups_of(consultation)
    assert (big.size, small.size) == (4, 2)
    assert big.sample == CAMPAIGN
    assert small.sample == OTHER_SUBJECT_TEXTS[0]
    assert not big.is_campaign
    assert {group_of(r) for r in campaign} == {big.id}
    assert {group_of(r) for r in pair} == {small.id}
    assert {group_of(r) for r in alone + short} == {None}


def test_sample_is_the_most_common_wording_shortest_among_ties(consultation):
    longer = CAMPAIGN + " Tak."
    respond(consultation, longer)
    respond(consultation, longer)
    respond(consultation, CAMPAIGN)
    respond(consultation, CAMPAIGN.rstrip("."))
    find_duplicates(consultation.id)
    # Both wordings are sent twice (the last two differ only in punctuation): the shorter
    # wording wins, in the shorter of its two spellings.
    assert [g.sample for g in groups_of(consultation)] == [CAMPAIGN.rstrip(".")]


def test_proposed_wording_is_part_of_the_text(consultation):
    wording = "Alle borgere udskrives med en aftalt plan og en fast kontaktperson i kommunen."
    same = [respond(consultation, ("support_with_changes", "", wording)) for _ in range(2)]
    find_duplicates(consultation.id)
    (group,) = groups_of(consultation)
    assert group.sample == wording
    assert {group_of(r) for r in same} == {group.id}


def test_withdrawn_responses_are_ignored(consultation):
    kept = [respond(consultation, CAMPAIGN) for _ in range(2)]
    withdrawn = respond(consultation, CAMPAIGN)
    draft = respond(consultation, CAMPAIGN, submit=False)
    withdraw_response(withdrawn)

    find_duplicates(consultation.id)
    (group,) = groups_of(consultation)
    assert group.size == 2
    assert {group_of(r) for r in kept} == {group.id}
    assert group_of(withdrawn) is None
    assert group_of(draft) is None

    # A member withdrawn after the grouping leaves the group at the next one.
    withdraw_response(kept[0])
    assert find_duplicates(consultation.id) == 0
    assert groups_of(consultation) == []
    assert group_of(kept[0]) is None
    assert group_of(kept[1]) is None


def test_other_consultations_are_not_mixed_in(consultation):
    other = make_consultation()
    respond(consultation, CAMPAIGN)
    respond(other, CAMPAIGN)
    respond(other, CAMPAIGN)
    assert find_duplicates(consultation.id) == 0
    assert find_duplicates(other.id) == 1
    assert groups_of(consultation) == []


def test_a_rerun_keeps_a_campaigns_row_flag_and_label(consultation):
    first = [respond(consultation, CAMPAIGN) for _ in range(3)]
    find_duplicates(consultation.id)
    (group,) = groups_of(consultation)
    group.is_campaign = True
    group.label = "Sengekampagnen"
    db.session.flush()

    later = [respond(consultation, CAMPAIGN.replace("regionen", "Region Hovedstaden"))]
    later += [respond(consultation, CAMPAIGN) for _ in range(2)]
    assert find_duplicates(consultation.id) == 1

    (again,) = groups_of(consultation)
    assert (again.id, again.is_campaign, again.label, again.size) == (
        group.id,
        True,
        "Sengekampagnen",
        6,
    )
    assert {group_of(r) for r in first + later} == {group.id}


def test_a_rerun_changes_nothing_when_nothing_changed(consultation, count_queries):
    for _ in range(3):
        respond(consultation, CAMPAIGN)
    state = select(Input.id, Input.updated_at, Input.duplicate_group_id).order_by(Input.id)
    find_duplicates(consultation.id)
    before = db.session.execute(state).all()
    with count_queries() as counter:
        find_duplicates(consultation.id)
    assert not [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE INPUTS")]
    assert db.session.execute(state).all() == before


def test_the_new_group_holding_most_of_a_campaign_takes_it_over(consultation):
    beds = [respond(consultation, CAMPAIGN) for _ in range(3)]
    staff = [respond(consultation, OTHER_SUBJECT_TEXTS[2]) for _ in range(3)]
    # An earlier grouping put three "beds" texts and one "staff" text in the campaign.
    campaign = DuplicateGroup(consultation_id=consultation.id, is_campaign=True, label="Senge")
    db.session.add(campaign)
    db.session.flush()
    point([*beds, staff[0]], campaign)

    assert find_duplicates(consultation.id) == 2
    by_size = {g.id: g for g in groups_of(consultation)}
    assert by_size[campaign.id].label == "Senge"
    assert {group_of(r) for r in beds} == {campaign.id}
    (staff_group,) = {group_of(r) for r in staff}
    assert staff_group != campaign.id
    assert not by_size[staff_group].is_campaign


def test_half_of_a_campaign_is_not_most_of_it(consultation):
    beds = [respond(consultation, CAMPAIGN) for _ in range(2)]
    staff = [respond(consultation, OTHER_SUBJECT_TEXTS[2]) for _ in range(2)]
    campaign = DuplicateGroup(consultation_id=consultation.id, is_campaign=True, label="Senge")
    db.session.add(campaign)
    db.session.flush()
    point(beds + staff, campaign)

    assert find_duplicates(consultation.id) == 2
    groups = groups_of(consultation)
    assert campaign.id not in {g.id for g in groups}
    assert not any(g.is_campaign for g in groups)


def test_withdrawn_members_do_not_count_against_a_campaign(consultation):
    responses = [respond(consultation, CAMPAIGN) for _ in range(5)]
    find_duplicates(consultation.id)
    (group,) = groups_of(consultation)
    group.is_campaign = True
    db.session.flush()
    for response in responses[:3]:
        withdraw_response(response)

    find_duplicates(consultation.id)
    (again,) = groups_of(consultation)
    assert (again.id, again.is_campaign, again.size) == (group.id, True, 2)


def test_a_campaign_is_kept_when_groups_merge(consultation):
    responses = [respond(consultation, CAMPAIGN) for _ in range(5)]
    plain = DuplicateGroup(consultation_id=consultation.id)
    campaign = DuplicateGroup(consultation_id=consultation.id, is_campaign=True, label="Senge")
    db.session.add_all([plain, campaign])
    db.session.flush()
    point(responses[:3], plain)
    point(responses[3:], campaign)

    find_duplicates(consultation.id)
    (group,) = groups_of(consultation)
    assert (group.id, group.label, group.size) == (campaign.id, "Senge", 5)
    assert db.session.get(DuplicateGroup, plain.id) is None
