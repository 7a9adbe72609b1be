"""The public report is built once per state of the consultation, and rebuilt when it changes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from consult.accounts.models import Role
from consult.drafts.models import Status
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user


def _reports(app) -> set[str]:
    return {p.name for p in Path(app.config["REPORT_DIR"]).iterdir()}


def test_a_report_is_built_once_and_again_when_what_it_shows_changes(app, client):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    make_response(c, {"fa-1-goal-1": "Første input."}, name="A")
    make_response(c, {"fa-1-goal-1": "Andet input."}, name="B")
    moderator = make_user(Role.MODERATOR)
    first, second = db.session.scalars(select(Contribution).order_by(Contribution.id)).all()
    moderation.publish(first, moderator)
    c.status = Status.PUBLISHED
    db.session.flush()
    before = _reports(app)

    pdf = client.get(f"/consultations/{c.slug}/report/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf.close()
    built = _reports(app) - before
    assert {Path(n).suffix for n in built} == {".memo", ".pdf"}
    again = client.get(f"/consultations/{c.slug}/report/report.pdf")
    again.close()
    assert _reports(app) - before == built  # served from the cache, nothing new

    page = client.get(f"/consultations/{c.slug}/report/").get_data(as_text=True)
    assert "Læs alle 1 offentliggjorte input" in page
    moderation.publish(second, moderator)
    db.session.flush()
    assert second.state is ModerationState.PUBLISHED
    page = client.get(f"/consultations/{c.slug}/report/").get_data(as_text=True)
    assert "Læs alle 2 offentliggjorte input" in page
    fresh = client.get(f"/consultations/{c.slug}/report/report.pdf")
    fresh.close()
    now = _reports(app) - before
    # The old build of this report is gone; one memo and one PDF remain.
    assert len(now) == 2 and not (now & built)
