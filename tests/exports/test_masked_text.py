"""Each input keeps its text as staff read it (CPR numbers masked), set whenever its text is
set, so the exports read stored text and run no guard per row. Both databases."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from sqlalchemy import update

from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports import files
from consult.extensions import db
from consult.readside import staff
from consult.readside.masking import MASK
from consult.reference.seed import load_reference_data
from consult.responses import services as responses
from consult.responses.models import Input
from consult.responses.models import Stance
from tests.factories import make_consultation
from tests.factories import make_response

CPR = "230831-1457"


@pytest.fixture
def data(ctx):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=2)
    response = make_response(
        c,
        {
            "fa-1-goal-1": ("support", f"Mit CPR-nummer er {CPR}.", f"Skriv {CPR} ind"),
            "fa-1-goal-2": "Ingen personoplysninger, kun 12 34.",
        },
    )
    db.session.flush()
    return c, response


def _inputs(response):
    return {i.item.key: i for i in db.session.scalars(select(Input).order_by(Input.id))}


def _texts(c) -> list[str]:
    tree = load_tree(current_version(c))
    out = io.BytesIO()
    files.write_to(out, "csv", c, tree, lang="da", delimiter=";")
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8")[1:]), delimiter=";"))
    text, wording = rows[0].index("text"), rows[0].index("proposed_wording")
    return [row[text] for row in rows[1:]] + [row[wording] for row in rows[1:]]


def test_the_masked_text_is_stored_when_the_text_is_saved_and_kept_in_step(data):
    c, response = data
    inputs = _inputs(response)
    flagged, plain = inputs["fa-1-goal-1"], inputs["fa-1-goal-2"]
    assert flagged.text == f"Mit CPR-nummer er {CPR}." and CPR not in flagged.masked_text
    assert flagged.masked_text == f"Mit CPR-nummer er {MASK}."
    assert flagged.masked_wording == f"Skriv {MASK} ind"
    # Nothing to mask: nothing stored (the export reads the text itself).
    assert plain.masked_text is None and plain.masked_wording is None
    texts = _texts(c)
    assert f"Mit CPR-nummer er {MASK}." in texts and "Ingen personoplysninger, kun 12 34." in texts
    assert not any(CPR in t for t in texts)

    # The respondent edits: the CPR number goes from the text and comes into the other one.
    tree = load_tree(current_version(c))
    response.state = response.state.DRAFT
    responses.save_input(
        response,
        tree.by_key["fa-1-goal-1"],
        stance=Stance.SUPPORT,
        importance=None,
        text="Nu uden nummer.",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    responses.save_input(
        response,
        tree.by_key["fa-1-goal-2"],
        stance=Stance.SUPPORT,
        importance=None,
        text=f"Her er det: {CPR}",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    responses.submit_response(response, key="again")
    db.session.flush()
    db.session.expire_all()
    inputs = _inputs(response)
    assert inputs["fa-1-goal-1"].masked_text is None
    assert inputs["fa-1-goal-1"].masked_wording is None
    assert inputs["fa-1-goal-2"].masked_text == f"Her er det: {MASK}"
    texts = _texts(c)
    assert "Nu uden nummer." in texts and f"Her er det: {MASK}" in texts
    assert not any(CPR in t for t in texts)


def test_remask_stores_the_masks_again_for_text_written_around_the_orm(app, data):
    c, response = data
    plain = _inputs(response)["fa-1-goal-2"]
    # A bulk statement (as a data repair might make) skips the attribute events.
    db.session.execute(
        update(Input).where(Input.id == plain.id).values(text=f"Skjult {CPR}"),
        execution_options={"synchronize_session": False},
    )
    db.session.expire_all()
    assert _inputs(response)["fa-1-goal-2"].masked_text is None  # stale
    result = app.test_cli_runner().invoke(args=["consult", "remask"])
    assert result.exit_code == 0, result.output
    assert "Inputs given a new masked text: 1." in result.output
    db.session.expire_all()
    assert _inputs(response)["fa-1-goal-2"].masked_text == f"Skjult {MASK}"
    assert not any(CPR in t for t in _texts(c))
    assert staff.remask(db.session.connection()) == 0  # nothing left to change
