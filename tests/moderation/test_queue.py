"""Publishing from the queue in bulk: nothing is chosen for the moderator; a whole page only
when they ask for it, with a link that works without JavaScript."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.extensions import db
from consult.moderation import views
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in

CPR_TEXT = "Min mor har cpr 010190-1234 og fik ingen hjælp efter udskrivelsen."
CHECKBOX = re.compile(r'<input type="checkbox" name="ids" value="(\d+)"[^>]*>')
ROW = re.compile(r'href="/moderation/contributions/(\d+)[?"]')


@pytest.fixture
def queue(client):
    """A moderator's client and a queue of one flagged and five clean contributions."""
    load_reference_data()
    consultation = make_consultation(focus_areas=2, goals_per_area=3)
    sign_in(client, make_user(Role.MODERATOR))
    make_response(consultation, {"fa-1-goal-1": CPR_TEXT})
    for n in range(5):
        make_response(consultation, {"fa-1-goal-2": f"Rent input nummer {n}."})
    return client


def boxes(html: str) -> dict[int, bool]:
    """Return each checkbox of the queue by contribution id: ticked or not."""
    return {int(m[1]): re.search(r"\schecked\b", m[0]) is not None for m in CHECKBOX.finditer(html)}


def rows(html: str) -> list[int]:
    """Return the contribution ids the page lists, in order."""
    return list(dict.fromkeys(int(i) for i in ROW.findall(html)))


def link(html: str, text: str) -> str:
    """Return the address of the link whose text is ``text``."""
    match = re.search(rf'<a href="([^"]+)">{re.escape(text)}</a>', html)
    assert match, f"no link {text!r}"
    return html_lib.unescape(match[1])


def state(contribution_id: int) -> ModerationState:
    return db.session.scalar(select(Contribution.state).where(Contribution.id == contribution_id))


def test_nothing_is_ticked_until_the_moderator_ticks_it(queue):
    html = queue.get("/moderation/?lang=en").get_data(as_text=True)
    assert len(boxes(html)) == 5  # the flagged one has no box
    assert not any(boxes(html).values())
    assert "Select all 5 on this page" in html
    assert "Nothing is chosen for you" in html
    html = queue.get("/moderation/?lang=da").get_data(as_text=True)
    assert "Vælg alle 5 på denne side" in html and not any(boxes(html).values())


def test_selecting_all_then_publishing_publishes_exactly_that_page(queue, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    first = queue.get("/moderation/?lang=en").get_data(as_text=True)
    on_page = rows(first)
    assert len(on_page) == 3
    clean_on_page = set(boxes(first))
    assert len(clean_on_page) == 2 and not any(boxes(first).values())

    selected = queue.get(link(first, "Select all 2 on this page")).get_data(as_text=True)
    assert rows(selected) == on_page
    assert boxes(selected) == dict.fromkeys(clean_on_page, True)
    assert "Clear the selection" in selected

    chosen = [i for i, ticked in boxes(selected).items() if ticked]
    response = post_form(queue, "/moderation/bulk-publish", {"ids": chosen}, "/moderation/")
    assert response.status_code == 302
    db.session.expire_all()
    everything = db.session.scalars(select(Contribution.id)).all()
    published = {i for i in everything if state(i) is ModerationState.PUBLISHED}
    assert published == clean_on_page
    assert len(everything) == 6 and len(published) == 2

    # The next page opens with nothing ticked again, and its own link selects only it.
    after = queue.get("/moderation/?lang=en").get_data(as_text=True)
    assert not any(boxes(after).values())
    second = queue.get("/moderation/?lang=en&page=2").get_data(as_text=True)
    assert not any(boxes(second).values())
    selected = queue.get(link(second, "Select 1 on this page")).get_data(as_text=True)
    assert "page=2" in link(second, "Select 1 on this page")
    assert list(boxes(selected).values()) == [True]
    assert set(boxes(selected)).isdisjoint(published)


def test_bulk_publish_takes_only_the_ticked(queue):
    html = queue.get("/moderation/?select=all").get_data(as_text=True)
    one = next(iter(boxes(html)))
    post_form(queue, "/moderation/bulk-publish", {"ids": [one]}, "/moderation/")
    db.session.expire_all()
    states = {i: state(i) for i in boxes(html)}
    assert states.pop(one) is ModerationState.PUBLISHED
    assert set(states.values()) == {ModerationState.PENDING}
    assert "1 offentliggjort." in queue.get("/moderation/").get_data(as_text=True)
