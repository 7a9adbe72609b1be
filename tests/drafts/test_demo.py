"""The demo: Sundhedsaftale 2024–2027 from the seeds, loaded again safely, a login per role."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.approvals import services as approvals
from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.drafts.models import ItemKind
from consult.drafts.models import Phase
from consult.drafts.services import current_version
from consult.drafts.services import get_consultation
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
from consult.responses.models import Input
from consult.responses.models import Response


def run_demo(app):
    # Fewer synthetic responses than `make run` makes: the same code, a quicker test.
    result = app.test_cli_runner().invoke(args=["consult", "demo", "--responses", "30"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_the_seeded_draft(app, ctx):
    run_demo(app)
    consultation = get_consultation("sundhedsaftale-2024-2027")
    assert consultation.title_da == "Sundhedsaftale 2024–2027"
    assert consultation.phase() is Phase.OPEN
    assert consultation.closes_at > utcnow()
    tree = load_tree(current_version(consultation))
    assert len(tree.visions) == 4
    assert len(tree.principles) == 8
    assert len(tree.focus_areas) == 4
    goals = [n for fa in tree.focus_areas for n in fa.children if n.kind is ItemKind.GOAL]
    initiatives = [
        n for fa in tree.focus_areas for n in fa.children if n.kind is ItemKind.INITIATIVE
    ]
    assert all(fa.children for fa in tree.focus_areas)
    assert sum(1 for g in goals if len(g.revision.alternatives) >= 2) >= 3
    assert len(initiatives) == 3
    assert {i.revision.funds_dkk for i in initiatives} == {2_000_000, 1_000_000, 500_000}
    assert all(i.revision.political_goals for i in initiatives)
    # Danish from the seeds, English written for every item.
    assert all(n.revision.title_en for n in tree.by_key.values())
    assert get_consultation("psykiatri-sundhedsaftale-iii").phase() is Phase.CLOSED


def test_demo_is_idempotent_and_prints_a_login_per_role(app):
    """Run as from a shell: no request context, as `make run` does every time."""
    first = run_demo(app)
    with app.app_context():
        counts = db.session.scalar(select(func.count()).select_from(Consultation))
        responses = db.session.scalar(select(func.count()).select_from(Response))
    second = run_demo(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == counts
        assert db.session.scalar(select(func.count()).select_from(Response)) == responses
        # One account per role, but three approvers: one per party.
        assert db.session.scalar(select(func.count()).select_from(User)) == len(Role) + 2
        for slug in ("sundhedsaftale-2024-2027", "psykiatri-sundhedsaftale-iii"):
            parties = approvals.parties(get_consultation(slug))
            assert [p.name_da for p in parties] == [
                "Region Hovedstaden", "KKR Hovedstaden", "PLO Hovedstaden",
            ]  # fmt: skip
            assert [len(p.approvers) for p in parties] == [1, 1, 1]
    assert "already loaded" in second
    for role in Role:
        if role is not Role.APPROVER:
            assert f"{role.value}@demo.consult.localhost" in first
    for party in ("region", "kkr", "plo"):
        assert f"approver-{party}@demo.consult.localhost" in first
    # Passwords are fresh each run and never the same twice.
    line = next(x for x in first.splitlines() if "admin@" in x)
    again = next(x for x in second.splitlines() if "admin@" in x)
    assert line.split()[-1] != again.split()[-1]


def test_demo_responses_look_like_a_real_consultation(app, ctx):
    run_demo(app)
    consultation = get_consultation("sundhedsaftale-2024-2027")
    responses = db.session.scalars(
        select(Response).where(Response.consultation_id == consultation.id)
    ).all()
    assert len(responses) >= 30
    types = {r.respondent.respondent_type.code for r in responses if r.respondent.respondent_type}
    assert {"citizen", "patient-association"} <= types and len(types) >= 5
    assert any(r.respondent.organisation for r in responses)
    # One session held and confirmed: its groups' input came in through channel "session".
    assert {r.channel.value for r in responses} == {"online", "letter", "session"}
    assert len({r.submitted_at.date() for r in responses}) >= 3  # spread over days
    # A campaign: the same few texts from many people.
    texts = db.session.scalars(select(Input.text)).all()
    assert max(texts.count(t) for t in set(texts) if t) >= 3
    # Moderated, but for a queue of the newest, with flags to look at.
    states = dict(
        db.session.execute(
            select(Contribution.state, func.count()).group_by(Contribution.state)
        ).all()
    )
    assert states[ModerationState.PUBLISHED] > 0 and states[ModerationState.PENDING] > 0
