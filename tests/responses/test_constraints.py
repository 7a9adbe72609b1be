"""The database itself holds the response limits, also when two writers race."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult import create_app
from consult.config import TestConfig
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.extensions import db
from consult.responses.models import FocusAreaRank
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from tests import helpers
from tests.factories import make_consultation
from tests.helpers import DATABASE_URL

pytestmark = pytest.mark.no_db


@pytest.fixture
def world():
    """A committed consultation and respondent in a scratch database of our own."""
    url = helpers.create_database(DATABASE_URL, "race")
    app = create_app(type("Race", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        consultation = make_consultation(focus_areas=4, goals_per_area=1)
        respondent = Respondent(email="borger@example.dk")
        db.session.add(respondent)
        db.session.commit()
        goal = db.session.scalar(select(Item).where(Item.key == "fa-1-goal-1"))
        areas = db.session.scalars(
            select(Item.id).where(
                Item.consultation_id == consultation.id, Item.kind == ItemKind.FOCUS_AREA
            )
        ).all()
        revision = db.session.scalar(select(ItemRevision.id).where(ItemRevision.item_id == goal.id))
        ids = {
            "consultation": consultation.id,
            "respondent": respondent.id,
            "goal": goal.id,
            "revision": revision,
            "areas": list(areas),
        }
        db.session.remove()  # give the connection back before the threads race
        engine = db.engine
        yield engine, ids
        engine.dispose()
    helpers.drop_database(DATABASE_URL, url)


def race(engine, makers) -> tuple[int, list[Exception]]:
    """Run each maker in its own thread and transaction at the same moment; count successes."""
    barrier = threading.Barrier(len(makers))
    errors: list[Exception] = []
    successes = []

    def run(make):
        with Session(engine) as session:
            barrier.wait()
            try:
                session.add(make())
                session.commit()
                successes.append(1)
            except IntegrityError as exc:
                session.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in makers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return len(successes), errors


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_one_response_per_respondent_and_consultation(world):
    engine, ids = world

    def make():
        return Response(consultation_id=ids["consultation"], respondent_id=ids["respondent"])

    ok, errors = race(engine, [make, make, make])
    assert ok == 1 and len(errors) == 2
    assert count(engine, Response) == 1


def _response(engine, ids) -> int:
    with Session(engine) as session:
        response = Response(consultation_id=ids["consultation"], respondent_id=ids["respondent"])
        session.add(response)
        session.commit()
        return response.id


def test_one_input_per_response_and_item(world):
    engine, ids = world
    response_id = _response(engine, ids)

    def make():
        return Input(response_id=response_id, item_id=ids["goal"], revision_id=ids["revision"])

    ok, errors = race(engine, [make, make])
    assert ok == 1 and len(errors) == 1
    assert count(engine, Input) == 1


def test_importance_is_held_between_1_and_5(world):
    engine, ids = world
    response_id = _response(engine, ids)
    with Session(engine) as session:
        session.add(
            Input(
                response_id=response_id,
                item_id=ids["goal"],
                revision_id=ids["revision"],
                importance=6,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_ranking_cap_holds_under_racing_writers(world):
    """Four areas race for three places: distinct ranks 1..3 leave no room for a fourth."""
    engine, ids = world
    response_id = _response(engine, ids)

    def maker(area_id, rank):
        return lambda: FocusAreaRank(
            response_id=response_id, item_id=area_id, rank=rank, max_rank=3
        )

    # Two writers want rank 1, one wants rank 4 (beyond the cap), one takes rank 2.
    areas = ids["areas"]
    ok, errors = race(
        engine, [maker(areas[0], 1), maker(areas[1], 1), maker(areas[2], 4), maker(areas[3], 2)]
    )
    assert ok == 2 and len(errors) == 2
    assert count(engine, FocusAreaRank) == 2
