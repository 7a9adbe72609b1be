"""PostgreSQL writes the CSV itself (COPY): the same cells as Python's writer, row for row,
whatever the text holds (formulas, control characters, CPR numbers, line breaks, quotes)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import services as analysis
from consult.analysis.browser import BrowseFilter
from consult.analysis.browser import matching_ids
from consult.analysis.models import Disposition
from consult.analysis.models import DuplicateGroup
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports import files
from consult.exports import pg_copy
from consult.exports import rows
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.helpers import DANGEROUS

pytestmark = pytest.mark.only_on("postgresql")


@pytest.fixture
def consultation(app):
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    make_response(c, DANGEROUS, name="Karen Jensen", consent="named")
    organisation = make_response(
        c,
        {
            "fa-1-goal-1": ("support_with_changes", 'Vi "støtter"; med, komma\nog linjeskift.', ""),
            "fa-1-goal-2": "Mit CPR-nummer er 230831-1457, og ٢٣٠٨٣١-١٤٥٧ står her også.",
            "fa-2-goal-1": "@ først, og en tekst uden noget særligt.",
        },
        type_code="patient-association",
        organisation="=Danske Patienter",
        consent="named",
    )
    make_response(c, {"fa-2-goal-2": "Kort."}, name="Ole")
    everything = matching_ids(c.id, BrowseFilter())
    for name in ("Øresund", "ældre", "Zebra", "akut"):
        analysis.tag_inputs(analysis.create_tag(c.id, name), everything)
    secretariat = make_user(Role.SECRETARIAT)
    reply = analysis.save_reply(
        c.id,
        secretariat,
        select(Input.id).where(Input.response_id == organisation.id),
        text="+Tak; indarbejdet.",
        disposition=Disposition.PARTLY,
        reason="Delvist, fordi\x07 …",
        ready=True,
    )
    analysis.approve_reply(reply, make_user(Role.SECRETARIAT))
    group = DuplicateGroup(consultation_id=c.id, is_campaign=True, label="-kampagne")
    db.session.add(group)
    db.session.flush()
    first = db.session.scalars(select(Input).order_by(Input.id)).first()
    first.duplicate_group_id = group.id
    moderator = make_user(Role.MODERATOR)
    for contribution in db.session.scalars(select(Contribution)):
        moderation.publish(contribution, moderator)
    db.session.flush()
    return c


def _python(c, tree, **options) -> list[list[str]]:
    chunks = files.text_chunks("csv", c, tree, **options)
    return list(
        csv.reader(io.StringIO("".join(chunks)[1:], newline=""), delimiter=options["delimiter"])
    )


def _copy(c, tree, **options) -> list[list[str]]:
    out = io.BytesIO()
    files.write_to(out, "csv", c, tree, **options)
    text = out.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=options["delimiter"]))


@pytest.mark.parametrize("public", [False, True], ids=["staff", "public"])
@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_copy_writes_the_same_cells_as_python(consultation, public, lang, delimiter):
    assert pg_copy.available()
    tree = load_tree(current_version(consultation))
    options = {"public": public, "lang": lang, "delimiter": delimiter}
    python, copied = _python(consultation, tree, **options), _copy(consultation, tree, **options)
    assert len(python) == 1 + rows.count(consultation.id, public=public) > 5
    assert copied == python
    body = "\n".join(";".join(row) for row in copied)
    assert "230831-1457" not in body and "٢٣٠٨٣١-١٤٥٧" not in body
    assert "\x07" not in body and "\x1b" not in body
