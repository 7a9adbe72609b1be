"""The bench generator (bench/generate.py) writes data the application's rules allow."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from bench.generate import build_search_index
from bench.generate import generate
from bench.generate import prepare
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Input
from consult.responses.models import Letter
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.sessions.models import Meeting


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_generates_the_asked_inputs_within_the_constraints(ctx):
    consultation = prepare(days=30)
    made, first_ids = generate(150, seed=1, batch_size=100)
    made_again, second_ids = generate(150, seed=2, batch_size=100)

    assert count(Input, Input.kind == "goal") == 300 == made["inputs"] + made_again["inputs"]
    # General comments and letters are inputs with no goal, counted apart.
    statements = made["statements"] + made_again["statements"]
    assert statements > 0 and count(Input, Input.item_id.is_(None)) == statements
    assert count(Input, Input.kind == "letter") == count(Letter)
    assert first_ids.stop == second_ids.start
    assert len(first_ids) + len(second_ids) == 300 + statements
    responses = count(Response)
    assert responses == made["responses"] + made_again["responses"] == count(Respondent)
    assert 60 <= responses <= 150  # one to four inputs a person, more an organisation
    # Every input of a submitted response is under moderation, exactly once.
    sent = Input.response.has(Response.state == "submitted")
    assert count(Contribution, Contribution.kind == "input") == count(
        Input, sent, Input.kind == "goal"
    )
    assert count(Contribution, Contribution.kind != "input") == count(
        Input, sent, Input.kind != "goal"
    )
    assert count(Contribution, Contribution.state == "published") > count(Contribution) / 2
    assert count(Contribution, Contribution.state == "withheld") == count(
        Contribution, Contribution.response.has(Response.consent == "private")
    )
    # Sessions: a confirmed meeting; its groups' responses have no e-mail address.
    assert count(Meeting, Meeting.state == "confirmed") >= 1
    assert count(Response, Response.channel == "session") == count(
        Respondent, Respondent.email.is_(None)
    )
    # Rankings obey the caps; everything is dated within the open window.
    assert db.session.scalar(select(func.max(FocusAreaRank.rank))) <= 3
    assert count(FocusAreaRank, FocusAreaRank.rank > FocusAreaRank.max_rank) == 0
    assert count(GoalRank, GoalRank.rank > GoalRank.max_rank) == 0
    submitted = db.session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at))
    ).one()
    assert consultation.opens_at <= submitted[0] <= submitted[1]
    # The unique constraints held (the inserts would have failed), and so do these.
    duplicates = (
        select(Input.response_id, Input.kind, Input.item_id, Input.position)
        .group_by(Input.response_id, Input.kind, Input.item_id, Input.position)
        .having(func.count() > 1)
    )
    assert db.session.execute(duplicates).first() is None
    # Each response knows how many inputs it has, as the app's ORM events keep it.
    counted = (
        select(func.count())
        .where(Input.response_id == Response.id, Input.kind == "goal")
        .scalar_subquery()
    )
    assert count(Response, Response.input_count != counted) == 0
    indexed = build_search_index(db.session.connection(), range(first_ids.start, second_ids.stop))
    if db.engine.dialect.name == "sqlite":
        assert indexed == 300 + statements
        assert db.session.scalar(text("SELECT count(*) FROM inputs_fts")) == 300 + statements
