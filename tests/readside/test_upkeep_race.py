"""Moderators publishing and hiding at the same moment leave the kept counts right.

Each writer has its own connection and transaction on a scratch database, as gunicorn workers
do. On SQLite they queue on the write lock (``db.write_lock()``, as every writing request and
job does); on PostgreSQL they take the consultation's state row before any count row, so they
never deadlock on the counts.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from consult import create_app
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.config import TestConfig
from consult.db import write_lock
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import HideReason
from consult.moderation.models import ModerationState
from consult.readside import upkeep
from consult.reference.seed import load_reference_data
from tests import helpers
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.helpers import DATABASE_URL
from tests.readside.test_upkeep import live
from tests.readside.test_upkeep import truth

pytestmark = pytest.mark.no_db

WRITERS = 6


@pytest.fixture
def world():
    url = helpers.create_database(DATABASE_URL, "upkeep-race")
    app = create_app(type("Race", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        load_reference_data()
        consultation = make_consultation(focus_areas=2, goals_per_area=2)
        moderator = make_user(Role.MODERATOR)
        first = []
        for n in range(WRITERS):
            stance = ("support", "oppose")[n % 2]
            response = make_response(
                consultation,
                {"fa-1-goal-1": (stance, f"Input {n}.", ""), "fa-2-goal-1": (stance, "To.", "")},
            )
            first.append(response.id)
        db.session.commit()
        ids = (consultation.id, moderator.id, first)
        db.session.remove()
        yield app, ids
        db.engine.dispose()
    helpers.drop_database(DATABASE_URL, url)


def test_racing_moderators_keep_the_counts_right(world):
    app, (consultation_id, moderator_id, response_ids) = world
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def moderate(response_id: int, hide_one: bool) -> None:
        with app.app_context():
            try:
                barrier.wait()
                with write_lock():
                    contributions = db.session.scalars(
                        select(Contribution)
                        .where(Contribution.response_id == response_id)
                        .order_by(Contribution.id)
                    ).all()
                    actor = db.session.get(User, moderator_id)
                    moderation.bulk_publish([c.id for c in contributions], actor)
                    if hide_one:
                        moderation.hide(contributions[0], actor, HideReason.SPAM)
                    db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=moderate, args=(rid, n % 3 == 0))
        for n, rid in enumerate(response_ids)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert failures == []
    with app.app_context():
        published = db.session.scalars(
            select(Contribution.state).where(Contribution.consultation_id == consultation_id)
        ).all()
        assert published.count(ModerationState.PUBLISHED) == 2 * WRITERS - 2
        kept = live(consultation_id)
        assert kept == truth(consultation_id)
        assert sum(kept.values()) == 2 * WRITERS - 2
        upkeep.recount()
        assert live(consultation_id) == kept
        db.session.rollback()
