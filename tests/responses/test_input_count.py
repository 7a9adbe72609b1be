"""Each response knows how many inputs it has: saving and removing keep the count."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from consult.db import utcnow
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.reference.seed import load_reference_data
from consult.responses import services
from consult.responses.models import Input
from consult.responses.models import Response
from tests.factories import make_consultation
from tests.factories import make_response


def test_saving_and_removing_input_keeps_the_count(ctx):
    load_reference_data()
    c = make_consultation(closes_in=timedelta(days=2))
    response = make_response(c, {"fa-1-goal-1": "Et", "fa-1-goal-2": "To"}, submit=False)
    tree = load_tree(current_version(c))
    db.session.refresh(response)
    assert response.input_count == 2
    services.remove_input(response, tree.by_key["fa-1-goal-1"], now=utcnow())
    db.session.refresh(response)
    assert response.input_count == 1
    # Saving the same goal again changes the input, not the count.
    services.save_input(
        response,
        tree.by_key["fa-1-goal-2"],
        stance=None,
        importance=None,
        text="Rettet",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    db.session.refresh(response)
    real = db.session.scalar(select(func.count()).where(Input.response_id == response.id))
    assert response.input_count == real == 1
    assert db.session.get(Response, response.id).input_count == 1
