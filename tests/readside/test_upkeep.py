"""The kept counts of published input (readside.upkeep) stay right after every kind of change.

After each change the live table must equal a count made from scratch over the contributions
(the GROUP BY the public pages used to run per request), and ``recount()`` must rebuild the
same table. Runs on SQLite and, with CONSULT_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import HideReason
from consult.moderation.models import ModerationState
from consult.readside import public as published
from consult.readside import upkeep
from consult.reference.models import RespondentType
from consult.reference.seed import load_reference_data
from consult.responses import services as responding
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import Stance
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user


@pytest.fixture
def world():
    load_reference_data()
    return make_consultation(focus_areas=2, goals_per_area=2), make_user(Role.MODERATOR)


def truth(consultation_id: int) -> dict[tuple[int, str, int], int]:
    """Count the published inputs from scratch, the slow way."""
    rows = db.session.execute(
        select(
            Contribution.item_id,
            Input.stance,
            Respondent.respondent_type_id,
            func.count(),
        )
        .join(Input, Input.id == Contribution.input_id)
        .join(Response, Response.id == Contribution.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(
            Contribution.consultation_id == consultation_id,
            Contribution.kind == ContributionKind.INPUT,
            *published.visible(),
        )
        .group_by(Contribution.item_id, Input.stance, Respondent.respondent_type_id)
    )
    return {
        (item, stance.value if stance else "", type_id or 0): n for item, stance, type_id, n in rows
    }


def live(consultation_id: int) -> dict[tuple[int, str, int], int]:
    counts = upkeep.COUNTS
    db.session.flush()
    rows = db.session.execute(
        select(counts.c.item_id, counts.c.stance, counts.c.respondent_type_id, counts.c.n).where(
            counts.c.consultation_id == consultation_id, counts.c.n != 0
        )
    )
    return {(item, stance, type_id): n for item, stance, type_id, n in rows}


def check(consultation) -> dict:
    expected = truth(consultation.id)
    assert live(consultation.id) == expected
    assert published.consultation_total(consultation.id) == sum(expected.values())
    return expected


def contribution_of(response) -> Contribution:
    return db.session.scalar(
        select(Contribution)
        .where(Contribution.response_id == response.id, Contribution.input_id.is_not(None))
        .order_by(Contribution.id)
    )


def publish(consultation, moderator, answers, **kwargs):
    response = make_response(consultation, answers, **kwargs)
    moderation.publish(contribution_of(response), moderator)
    return response


def item_id(consultation, key: str) -> int:
    return load_tree(current_version(consultation)).by_key[key].item.id


def test_counts_follow_every_kind_of_change(world):
    c, moderator = world
    goal = item_id(c, "fa-1-goal-1")
    # Submitted but not reviewed: counted nowhere.
    waiting = make_response(c, {"fa-1-goal-1": ("oppose", "Venter.", "")})
    assert check(c) == {}

    # Publish.
    anna = publish(c, moderator, {"fa-1-goal-1": ("support", "Godt.", "")})
    bo = publish(c, moderator, {"fa-1-goal-1": ("oppose", "Skidt.", "")})
    org = publish(
        c,
        moderator,
        {"fa-1-goal-1": ("support", "Foreningens svar.", "")},
        type_code="patient-association",
        organisation="Danske Patienter",
    )
    citizen = db.session.scalar(select(RespondentType.id).where(RespondentType.code == "citizen"))
    counts = check(c)
    assert counts[(goal, "support", citizen)] == 1 and counts[(goal, "oppose", citizen)] == 1
    assert sum(counts.values()) == 3

    # Publish the waiting one, then hide it.
    moderation.publish(contribution_of(waiting), moderator)
    assert check(c)[(goal, "oppose", citizen)] == 2
    moderation.hide(contribution_of(waiting), moderator, HideReason.OFF_TOPIC)
    assert check(c)[(goal, "oppose", citizen)] == 1

    # Redact: still published, still counted once.
    contribution = contribution_of(anna)
    moderation.redact(contribution, moderator, {"text": [(0, 4)]}, HideReason.PERSONAL_DATA)
    assert check(c)[(goal, "support", citizen)] == 1

    # Withdraw: the response is no longer submitted.
    responding.withdraw_response(bo)
    db.session.flush()
    assert (goal, "oppose", citizen) not in check(c)

    # Consent changed to private, and back (back means the queue again: not counted).
    responding.save_comment(anna, "", Consent.PRIVATE)
    assert (goal, "support", citizen) not in check(c)
    moderation.sync_response(anna)
    responding.save_comment(anna, "", Consent.ANONYMOUS)
    moderation.sync_response(anna)
    assert (goal, "support", citizen) not in check(c)

    # The respondent's type changes: the input moves to another row.
    other = db.session.scalar(select(RespondentType).where(RespondentType.code != "citizen"))
    org_respondent = db.session.get(Respondent, org.respondent_id)
    org_respondent.respondent_type_id = citizen
    assert check(c)[(goal, "support", citizen)] == 1
    org_respondent.respondent_type_id = other.id
    assert check(c)[(goal, "support", other.id)] == 1

    # An edited stance (same text: it stays published) moves to the new stance's row.
    carl = publish(c, moderator, {"fa-2-goal-1": ("support", "Fint.", "")})
    node = load_tree(current_version(c)).by_key["fa-2-goal-1"]
    responding.save_input(
        carl,
        node,
        stance=Stance.NO_POSITION,
        importance=None,
        text="Fint.",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    responding.submit_response(carl, key="again")
    moderation.sync_response(carl)
    counts = check(c)
    assert counts[(item_id(c, "fa-2-goal-1"), "no_position", citizen)] == 1
    assert (item_id(c, "fa-2-goal-1"), "support", citizen) not in counts

    # An input removed from the response, and a response deleted.
    responding.remove_input(carl, node)
    moderation.sync_response(carl)
    assert (item_id(c, "fa-2-goal-1"), "no_position", citizen) not in check(c)
    db.session.delete(org)
    db.session.flush()
    assert (goal, "support", other.id) not in check(c)

    # Reports hide it until a moderator looks.
    dora = publish(c, moderator, {"fa-1-goal-2": ("support", "Rapporteret.", "")})
    for n in range(moderation.REPORTS_TO_HIDE):
        moderation.report(contribution_of(dora), HideReason.SPAM, "", f"reporter-{n}")
    assert contribution_of(dora).state is ModerationState.PENDING
    assert (item_id(c, "fa-1-goal-2"), "support", citizen) not in check(c)

    # A rebuild from scratch agrees with what was kept.
    kept = live(c.id)
    upkeep.recount()
    assert live(c.id) == kept == truth(c.id)


def test_a_goal_pages_figures_come_from_the_kept_counts(world):
    c, moderator = world
    goal = item_id(c, "fa-1-goal-1")
    publish(c, moderator, {"fa-1-goal-1": ("support", "En.", "")})
    publish(c, moderator, {"fa-1-goal-1": ("support", "To.", "")})
    make_response(c, {"fa-1-goal-1": ("oppose", "Tre.", "")}, consent="private")
    counts = published.item_counts(goal)
    assert counts.stances == {"support": 2}
    assert [(t.code, n) for t, n in counts.by_type] == [("citizen", 2)]
    assert counts.total() == 2 and counts.total("oppose") == 0


def test_recount_rebuilds_a_table_written_past_the_orm(world):
    c, moderator = world
    publish(c, moderator, {"fa-1-goal-1": ("support", "En.", "Ny\n\nformulering")})
    before = live(c.id)
    db.session.execute(upkeep.COUNTS.delete())
    db.session.execute(
        Contribution.__table__.update().values(public_html=None, public_wording_html=None)
    )
    assert live(c.id) == {}

    upkeep.recount()
    filled = upkeep.fill_public_html()

    assert live(c.id) == before and filled == 1
    contribution = db.session.scalar(select(Contribution).where(Contribution.input_id.is_not(None)))
    db.session.refresh(contribution)
    assert contribution.public_html == "<p>En.</p>"
    assert contribution.public_wording_html == "<p>Ny</p><p>formulering</p>"


def test_public_html_is_made_when_published_and_shows_the_removed_label(app, client, world):
    c, moderator = world
    response = make_response(c, {"fa-1-goal-1": ("support", "Ring 22334455 <b>nu</b>.", "")})
    contribution = contribution_of(response)
    moderation.redact(contribution, moderator, {"text": [(5, 13)]}, HideReason.PERSONAL_DATA)
    assert contribution.public_html == "<p>Ring \ue000 &lt;b&gt;nu&lt;/b&gt;.</p>"
    page = client.get(f"/consultations/{c.slug}/items/fa-1-goal-1/input").get_data(as_text=True)
    assert '<span class="redacted">[fjernet]</span>' in page and "22334455" not in page
    moderation.hide(contribution, moderator, HideReason.OFF_TOPIC)
    assert contribution.public_html is None
