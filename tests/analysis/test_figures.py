"""Every figure against values computed by hand on a small fixed data set, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.db import utcnow
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.reference.models import Municipality
from consult.reference.seed import load_reference_data
from consult.responses import services as responses
from consult.responses.models import Stance
from consult.sessions import confirmation
from consult.sessions import services as sessions
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.helpers import type_id


def _town(code):
    return db.session.scalar(select(Municipality).where(Municipality.code == code))


@pytest.fixture
def data(ctx):
    """Eight answers on goal fa-1-goal-1 (one withdrawn), a session, and three rankings.

    | who                  | where     | stance               | importance | alternative |
    |----------------------|-----------|----------------------|------------|-------------|
    | R1 citizen           | Hvidovre  | support              | 5          | A           |
    | R2 citizen           | Hillerød  | oppose               | 2          | B           |
    | R3 relative          | Hvidovre  | support_with_changes | 4          | A  (+wording)|
    | R4 Danske Patienter  | –         | support              | –          | –           |
    | R5 Ældre Sagen       | –         | support_with_changes | 3          | –           |
    | R6 citizen WITHDRAWN | –         | support              | 5          | –           |
    | R8 citizen           | Hillerød  | support              | 1          | –           |
    | session (14 people), patient representatives: oppose, then support (two inputs)  |
    """
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    tree = load_tree(current_version(c))
    goal = tree.by_key["fa-1-goal-1"]
    a, b = (alt.id for alt in goal.revision.alternatives)

    def answer(stance, importance, alternative=None, wording="", **kw):
        response = make_response(c, submit=False, **kw)
        responses.save_input(
            response,
            goal,
            stance=Stance(stance),
            importance=importance,
            text="Tekst",
            proposed_wording=wording,
            preferred_alternative_id=alternative,
        )
        responses.submit_response(response, key=f"k{response.id}")
        return response

    r1 = answer("support", 5, a)
    r2 = answer("oppose", 2, b)
    r3 = answer("support_with_changes", 4, a, "En bedre formulering", type_code="relative")
    answer("support", None, type_code="patient-association", organisation="Danske Patienter")
    answer("support_with_changes", 3, type_code="interest-organisation", organisation="Ældre Sagen")
    r6 = answer("support", 5)
    responses.withdraw_response(r6)
    r8 = answer("support", 1)
    for response, town in (
        (r1, "hvidovre"),
        (r2, "hilleroed"),
        (r3, "hvidovre"),
        (r8, "hilleroed"),
    ):
        municipality = _town(town)
        response.respondent.municipality = municipality
        response.respondent.cluster = municipality.clusters[0]
    # A session: 14 people; the patient representatives said two things on the goal.
    facilitator = make_user("facilitator")
    meeting = sessions.create_meeting(
        facilitator,
        c,
        sessions.MeetingSpec(
            title="Temamøde",
            starts_at=utcnow(),
            place="",
            online_url="",
            locale="da",
            participant_count=14,
            confirm_days=8,
            facilitators=[facilitator],
            agenda=[goal.item.id],
            groups=[sessions.GroupSpec(type_id("patient-representative"), "", 14)],
            emails=[],
        ),
        tree,
    )
    sessions.start(meeting)
    for stance in ("oppose", "support"):
        sessions.record(
            meeting,
            tree,
            item_id=goal.item.id,
            group_id=meeting.groups[0].id,
            stance=Stance(stance),
            text="Sagt på mødet",
        )
    confirmation.end(meeting)
    confirmation.confirm(meeting, facilitator, now=utcnow() + timedelta(days=9))
    # Rankings (cap 3): R1 ranks fa-2 then fa-1; R2 ranks fa-1; R3 ranks fa-2.
    fa1, fa2 = tree.by_key["fa-1"].item.id, tree.by_key["fa-2"].item.id
    for response, areas in ((r1, [fa2, fa1]), (r2, [fa1]), (r3, [fa2])):
        responses.set_ranking(response, tree, areas, {})
    db.session.flush()
    return c, tree


def test_goal_figures_match_the_hand_count(data):
    from consult.analysis import figures

    c, tree = data
    goal = tree.by_key["fa-1-goal-1"]
    a, b = (alt.id for alt in goal.revision.alternatives)
    f = figures.goal(c, goal.item.id)
    assert f.inputs == 8  # R1–R5, R8, and the session's two; not the withdrawn R6
    assert f.voices_distinct == 7
    assert f.stances == {"support": 4, "oppose": 2, "support_with_changes": 2}
    assert f.importance_mean == pytest.approx(3.0)  # (5 + 2 + 4 + 3 + 1) / 5
    assert f.importance_median == pytest.approx(3.0)
    assert f.importance_count == 5
    assert f.alternatives == {a: 2, b: 1}
    v = f.voices
    assert (v.individuals, v.organisations, v.sessions) == (4, 2, 2)  # inputs
    # Voices: four people, two organisations, one session group (two inputs): 7, as above.
    assert (v.people, v.organisation_responses, v.session_groups) == (4, 2, 1)
    assert v.total == f.voices_distinct
    assert (v.meetings, v.people_in_sessions) == (1, 14)
    by_type = {t.code: s for t, s in f.by_type}
    assert by_type == {
        "citizen": {"support": 2, "oppose": 1},
        "relative": {"support_with_changes": 1},
        "patient-association": {"support": 1},
        "interest-organisation": {"support_with_changes": 1},
        "patient-representative": {"oppose": 1, "support": 1},
    }
    by_cluster = {(cl.code if cl else None): s for cl, s in f.by_cluster}
    assert by_cluster["syd"] == {"support": 1, "support_with_changes": 1}
    assert by_cluster["nord"] == {"oppose": 1, "support": 1}
    # R4, R5 and the session gave no municipality.
    assert by_cluster[None] == {"support": 2, "support_with_changes": 1, "oppose": 1}
    assert f.reply_states == {"new": 8, "in_progress": 0, "drafted": 0, "approved": 0}


def test_an_even_count_takes_the_mean_of_the_middle_two(data):
    from consult.analysis import figures
    from consult.responses.models import Input

    c, tree = data
    goal = tree.by_key["fa-1-goal-1"]

    def drop(value):
        db.session.scalars(select(Input).where(Input.importance == value)).one().importance = None
        db.session.flush()
        return figures.goal(c, goal.item.id).importance_median

    assert drop(1) == pytest.approx(3.5)  # 2, 3, 4, 5
    assert drop(2) == pytest.approx(4.0)  # 3, 4, 5


def test_the_ranking_gives_mean_rank_borda_and_top3_share(data):
    from consult.analysis import rankings

    c, tree = data
    fa1, fa2 = tree.by_key["fa-1"].item.id, tree.by_key["fa-2"].item.id
    result = rankings.ranking(c)
    rows = result.rows
    assert result.everyone == 3
    assert [r.item_id for r in rows] == [fa2, fa1]  # Borda 6 before 5
    second, first = rows[1], rows[0]
    assert (first.mean_rank, first.borda, first.ranked_by) == (1.0, 6, 2)
    assert (second.mean_rank, second.borda, second.ranked_by) == (1.5, 5, 2)
    assert first.top_share == pytest.approx(2 / 3) and second.top_share == pytest.approx(2 / 3)
    # Per respondent group: only the relative (R3) ranked among relatives.
    result = rankings.ranking(c, type_id=type_id("relative"))
    assert result.everyone == 1 and [(r.item_id, r.borda) for r in result.rows] == [(fa2, 3)]


def test_the_dashboard_counts_channels_types_places_and_days(data):
    from consult.analysis import figures

    c, _tree = data
    d = figures.dashboard(c)
    assert (d.responses, d.inputs) == (7, 8)
    assert {ch: (n, i) for ch, n, i in d.by_channel} == {"online": (6, 6), "session": (1, 2)}
    by_type = {t.code: (n, i) for t, n, i in d.by_type}
    assert by_type["citizen"] == (3, 3) and by_type["patient-representative"] == (1, 2)
    assert {(m.code if m else None): n for m, n in d.by_municipality} == {
        "hvidovre": 2,
        "hilleroed": 2,
        None: 3,
    }
    assert {(cl.code if cl else None): n for cl, n in d.by_cluster} == {
        "syd": 2,
        "nord": 2,
        None: 3,
    }
    assert sum(n for _day, n, _i in d.per_day) == 7
    assert sum(i for _day, _n, i in d.per_day) == 8
    assert d.days_left is not None and d.days_left > 0


def test_the_goal_page_shows_one_count_of_voices_that_adds_up(data, client):
    """The page's voices by kind add up to its distinct voices (docs/analysis.md), in words."""
    import re

    from consult.accounts.models import Role
    from tests.factories import sign_in

    c, tree = data
    sign_in(client, make_user(Role.SECRETARIAT))
    page = client.get(f"/staff/consultations/{c.slug}/analysis/goals/fa-1-goal-1?lang=en").get_data(
        as_text=True
    )
    assert "<strong>7</strong> distinct voices" in page
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', page))
    assert rows["Individuals"] == "4" and rows["Organisations"] == "2"
    assert rows["Groups in moderated sessions"] == "1" and rows["All"] == "7"
    assert "The groups spoke in 1 moderated session, representing 14 people." in page
