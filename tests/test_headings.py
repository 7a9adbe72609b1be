"""Headings go in order (no level skipped) and repeated sections have names of their own."""

from __future__ import annotations

import re

from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import duplicates
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in

TEXTS = (
    "Vi kræver flere senge på sygehusene i regionen, så ingen ældre udskrives før tid.",
    "Stop lukningen af fødegangen i Hillerød, den er livsvigtig for hele Nordsjælland her.",
)


def levels(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<h([1-6])\b", html)]


def assert_in_order(html: str, where: str) -> None:
    seen = levels(html)
    assert seen and seen[0] == 1, (where, seen)
    for before, after in zip(seen, seen[1:], strict=False):
        assert after <= before + 1, f"{where}: h{before} is followed by h{after} ({seen})"


def test_public_and_staff_pages_keep_heading_order(client):
    load_reference_data()
    c = make_consultation()
    moderator = make_user(Role.MODERATOR)
    for text in TEXTS * 2:
        response = make_response(c, {"fa-1-goal-1": text})
        for contribution in db.session.scalars(
            select(Contribution).where(Contribution.response_id == response.id)
        ):
            moderation.publish(contribution, moderator)
    duplicates.store_groups(c.id, duplicates.compute_groups(c.id, lambda *_: None))
    db.session.flush()
    for url in (
        f"/consultations/{c.slug}/items/fa-1-goal-1",
        f"/consultations/{c.slug}/items/fa-1-goal-1/input",
    ):
        assert_in_order(client.get(url).get_data(as_text=True), url)
    sign_in(client, make_user(Role.SECRETARIAT))
    url = f"/staff/consultations/{c.slug}/inputs/groups"
    html = client.get(url).get_data(as_text=True)
    assert_in_order(html, url)
    names = re.findall(r'<h2 id="group-\d+"[^>]*>(.*?)</h2>', html, re.S)
    assert len(names) == 2 and len(set(names)) == 2, names
