"""Responding through the services: deadlines to the second, caps, alternatives, history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from consult.db import utcnow
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.responses import services
from consult.responses.models import FocusAreaRank
from consult.responses.models import ResponseEvent
from consult.responses.models import ResponseState
from consult.responses.models import Stance
from consult.responses.services import ResponseError
from tests.factories import make_consultation
from tests.factories import make_user


@pytest.fixture
def setup(ctx):
    consultation = make_consultation(focus_areas=4, goals_per_area=3, closes_in=timedelta(days=5))
    tree = load_tree(current_version(consultation))
    respondent = services.respondent_for_user(make_user())
    response = services.response_for(consultation, respondent)
    return consultation, tree, response


def answer(response, node, **overrides):
    values = dict(
        stance=Stance.SUPPORT,
        importance=4,
        text="Godt mål.",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    values.update(overrides)
    return services.save_input(response, node, **values)


def test_one_response_per_respondent_is_reused(setup):
    consultation, _tree, response = setup
    assert services.response_for(consultation, response.respondent) is response


def test_input_is_saved_on_the_revision_read_and_updated_in_place(setup):
    _c, tree, response = setup
    node = tree.by_key["fa-1-goal-1"]
    alternative = node.revision.alternatives[1]
    first = answer(response, node, preferred_alternative_id=alternative.id)
    second = answer(response, node, stance=Stance.OPPOSE, preferred_alternative_id=None)
    assert first.id == second.id
    assert second.revision_id == node.revision.id and second.stance is Stance.OPPOSE


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"importance": 6}, "bad_importance"),
        ({"preferred_alternative_id": 999999}, "bad_alternative"),
        ({"text": "x" * 10_001}, "too_long"),
    ],
)
def test_bad_input_is_refused(setup, overrides, code):
    _c, tree, response = setup
    with pytest.raises(ResponseError) as raised:
        answer(response, tree.by_key["fa-1-goal-1"], **overrides)
    assert raised.value.code == code


def test_an_alternative_of_another_goal_is_refused(setup):
    _c, tree, response = setup
    other = tree.by_key["fa-2-goal-1"].revision.alternatives[0]
    with pytest.raises(ResponseError, match="bad_alternative"):
        answer(response, tree.by_key["fa-1-goal-1"], preferred_alternative_id=other.id)


def test_focus_areas_take_no_input(setup):
    _c, tree, response = setup
    with pytest.raises(ResponseError, match="not_commentable"):
        answer(response, tree.by_key["fa-1"])


def test_the_deadline_holds_to_the_second(setup):
    consultation, tree, response = setup
    node = tree.by_key["fa-1-goal-1"]
    with time_machine.travel(consultation.closes_at - timedelta(seconds=1), tick=False):
        answer(response, node)
        assert services.submit_response(response, "key-1")
    with time_machine.travel(consultation.closes_at, tick=False):
        with pytest.raises(ResponseError, match="deadline_passed"):
            answer(response, node, stance=Stance.OPPOSE)
    with time_machine.travel(consultation.closes_at + timedelta(seconds=1), tick=False):
        with pytest.raises(ResponseError, match="deadline_passed"):
            services.withdraw_response(response)


@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_the_time_that_passed_the_deadline_check_is_the_time_stamped(setup, monkeypatch, action):
    """The clock moves past the deadline between the check and the stamp: the stamp keeps the
    time that was checked, so nothing is accepted with a time after the deadline."""
    consultation, tree, response = setup
    answer(response, tree.by_key["fa-1-goal-1"])
    if action == "withdraw":
        services.submit_response(response, "k0")
    last_second = consultation.closes_at - timedelta(seconds=1)
    check = services.ensure_open
    with time_machine.travel(last_second, tick=False) as clock:

        def check_then_pass_the_deadline(c, now=None):
            check(c, now)
            clock.shift(timedelta(seconds=2))

        monkeypatch.setattr(services, "ensure_open", check_then_pass_the_deadline)
        if action == "submit":
            assert services.submit_response(response, "k1")
            stamped = response.submitted_at
        else:
            services.withdraw_response(response)
            stamped = response.withdrawn_at
    assert stamped == last_second < consultation.closes_at
    event = db.session.scalars(
        select(ResponseEvent)
        .where(ResponseEvent.response_id == response.id)
        .order_by(ResponseEvent.id.desc())
    ).first()
    assert event.at == last_second


def test_ranking_keeps_the_caps(setup):
    consultation, tree, response = setup
    areas = [n.item.id for n in tree.focus_areas]
    goals_of = {
        n.item.id: [c.item.id for c in n.children if c.kind.value == "goal"]
        for n in tree.focus_areas
    }
    with pytest.raises(ResponseError) as raised:
        services.set_ranking(response, tree, areas, {})
    assert raised.value.code == "too_many_focus_areas" and raised.value.details == {"cap": 3}
    with pytest.raises(ResponseError, match="too_many_goals"):
        services.set_ranking(response, tree, areas[:1], {areas[0]: goals_of[areas[0]]})
    with pytest.raises(ResponseError, match="goal_outside_chosen_area"):
        services.set_ranking(response, tree, areas[:1], {areas[1]: goals_of[areas[1]][:1]})
    with pytest.raises(ResponseError, match="bad_ranking"):
        services.set_ranking(response, tree, [areas[0], areas[0]], {})
    services.set_ranking(response, tree, [areas[2], areas[0]], {areas[2]: goals_of[areas[2]][:2]})
    assert services.ranking_of(response) == (
        [areas[2], areas[0]],
        {areas[2]: goals_of[areas[2]][:2]},
    )
    # A later ranking replaces the earlier one.
    services.set_ranking(response, tree, [areas[1]], {})
    assert db.session.scalars(
        select(FocusAreaRank.item_id).where(FocusAreaRank.response_id == response.id)
    ).all() == [areas[1]]
    consultation.max_ranked_focus_areas = 4
    services.set_ranking(response, tree, areas, {})


def test_submit_needs_a_stance_and_is_stored_once(setup):
    _c, tree, response = setup
    with pytest.raises(ResponseError, match="empty"):
        services.submit_response(response, "k1")
    answer(response, tree.by_key["fa-1-goal-1"], stance=None)
    with pytest.raises(ResponseError, match="stance_missing"):
        services.submit_response(response, "k1")
    answer(response, tree.by_key["fa-1-goal-1"])
    assert services.submit_response(response, "k1") is True
    receipt = response.receipt_number
    assert response.state is ResponseState.SUBMITTED and receipt.startswith("H")
    # The same form sent again (double click, resend) changes nothing.
    assert services.submit_response(response, "k1") is False
    events = db.session.scalars(
        select(ResponseEvent).where(ResponseEvent.response_id == response.id)
    ).all()
    assert [e.action for e in events] == ["submitted"]


def test_every_change_after_submission_is_history(setup):
    _c, tree, response = setup
    node = tree.by_key["fa-1-goal-1"]
    answer(response, node)
    services.submit_response(response, "k1")
    answer(response, node, stance=Stance.OPPOSE, text="Jeg har skiftet mening.")
    services.submit_response(response, "k2")
    services.withdraw_response(response)
    events = db.session.scalars(
        select(ResponseEvent)
        .where(ResponseEvent.response_id == response.id)
        .order_by(ResponseEvent.id)
    ).all()
    assert [e.action for e in events] == ["submitted", "edited", "edited", "withdrawn"]
    first, changed = json.loads(events[0].snapshot), json.loads(events[1].snapshot)
    assert first["inputs"][0]["stance"] == "support" and changed["inputs"][0]["stance"] == "oppose"
    assert response.state is ResponseState.WITHDRAWN and response.receipt_number


def test_a_consultation_not_yet_open_takes_nothing(ctx):
    consultation = make_consultation(opens_in=timedelta(days=1), closes_in=timedelta(days=9))
    tree = load_tree(current_version(consultation))
    response = services.response_for(consultation, services.respondent_for_user(make_user()))
    with pytest.raises(ResponseError, match="not_open"):
        answer(response, tree.by_key["fa-1-goal-1"])
    assert utcnow() < consultation.opens_at


def test_the_general_comment_is_one_input_edited_in_place_and_gone_when_emptied(setup):
    from consult.moderation.models import Contribution
    from consult.moderation.models import ContributionKind
    from consult.moderation.models import ModerationState
    from consult.responses.models import Consent
    from consult.responses.models import Input
    from consult.responses.models import InputKind

    _c, _tree, response = setup

    def comments():
        return db.session.scalars(
            select(Input).where(Input.response_id == response.id, Input.kind == InputKind.COMMENT)
        ).all()

    def contribution():
        return db.session.scalar(
            select(Contribution).where(
                Contribution.response_id == response.id,
                Contribution.kind == ContributionKind.COMMENT,
            )
        )

    services.save_comment(response, "   ", Consent.ANONYMOUS)
    assert comments() == []  # an empty comment is no input
    with pytest.raises(ResponseError) as refused:
        services.submit_response(response, key="empty")
    assert refused.value.code == "empty"
    services.save_comment(response, "Godt udkast.", Consent.NAMED)
    (first,) = comments()
    assert first.item_id is None and response.comment_text == "Godt udkast."
    assert response.input_count == 0  # the count is of input on goals
    assert services.submit_response(response, key="k1")  # a comment alone is a response
    assert contribution().input_id == first.id
    contribution().state = ModerationState.PUBLISHED
    # Edited after submission: the same input, back to the moderators.
    services.save_comment(response, "Godt udkast, men for langt.", Consent.NAMED)
    (edited,) = comments()
    assert edited.id == first.id and edited.text == "Godt udkast, men for langt."
    assert contribution().state is ModerationState.PENDING
    last = db.session.scalar(
        select(ResponseEvent.snapshot)
        .where(ResponseEvent.response_id == response.id)
        .order_by(ResponseEvent.id.desc())
        .limit(1)
    )
    assert json.loads(last)["general_comment"] == "Godt udkast, men for langt."
    # Emptied: the input and its contribution go.
    services.save_comment(response, "", Consent.NAMED)
    assert comments() == [] and contribution() is None and response.comment_text == ""
