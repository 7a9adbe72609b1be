"""The secretariat writes drafts in the browser: consultations, dates, status and versions."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import select

from consult.approvals.models import Decision
from consult.approvals.services import add_approver
from consult.approvals.services import add_party
from consult.approvals.services import decide
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemRevision
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.extensions import db
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_consultation
from tests.factories import make_user


@pytest.fixture
def staff(client):
    login(client, make_user("secretariat"))
    return client


def post(client, url, data, form_url=None):
    """Post ``data`` with the CSRF token of the form on ``form_url`` (default: ``url``)."""
    data = {**data, "csrf_token": csrf_token(client, form_url or url)}
    return client.post(url, data=data)


def reload(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def by_slug(slug):
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def consultation_form(**overrides):
    data = {
        "title_da": "Sundhedsaftale 2028–2031",
        "title_en": "Health Agreement 2028–2031",
        "slug": "sundhedsaftale-2028-2031",
        "summary_da": "Et nyt udkast.",
        "summary_en": "",
        "opens_at": "2027-01-15T09:00",
        "closes_at": "2027-06-30T12:00",
        "max_ranked_focus_areas": "3",
        "max_ranked_goals": "2",
    }
    data.update(overrides)
    return data


# --- creating and editing a consultation ---------------------------------------------------------


def test_create_consultation_converts_copenhagen_time_to_utc(staff):
    response = post(staff, "/staff/consultations/new", consultation_form())
    assert response.status_code == 302
    c = by_slug("sundhedsaftale-2028-2031")
    assert response.headers["Location"].endswith(f"/staff/consultations/{c.slug}/")
    assert c.status is Status.DRAFT
    # Winter: UTC+1. Summer: UTC+2.
    assert c.opens_at == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert c.closes_at == datetime(2027, 6, 30, 10, 0, tzinfo=UTC)
    assert [(v.number, v.label_da, v.label_en) for v in c.versions] == [
        (1, "1. udkast", "First draft")
    ]
    assert (c.max_ranked_focus_areas, c.max_ranked_goals) == (3, 2)
    # The edit form shows the times in Copenhagen again.
    html = staff.get(f"/staff/consultations/{c.slug}/edit").get_data(as_text=True)
    assert 'value="2027-01-15T09:00"' in html and 'value="2027-06-30T12:00"' in html
    # The staff home shows them in Copenhagen time too.
    html = staff.get("/staff/?lang=en").get_data(as_text=True)
    assert "15 January 2027, 09:00" in html and "30 June 2027, 12:00" in html


def test_the_hour_that_happens_twice_is_read_as_its_first_pass(staff):
    # 31 October 2027: 02:00–02:59 comes twice; the first is still summer time (UTC+2).
    data = consultation_form(opens_at="2027-10-31T02:30", closes_at="2027-11-30T12:00:00")
    assert post(staff, "/staff/consultations/new", data).status_code == 302
    c = by_slug("sundhedsaftale-2028-2031")
    assert c.opens_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    # Seconds, as some browsers send them, are accepted.
    assert c.closes_at == datetime(2027, 11, 30, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title_da": ""}, "title_da", "The Danish title is required."),
        ({"title_da": "<b></b>"}, "title_da", "The Danish title is required."),
        ({"slug": "Not A Slug"}, "slug", "lower-case letters"),
        ({"closes_at": "2027-01-01T12:00"}, "closes_at", "The deadline must be after the opening."),
        ({"closes_at": "2027-01-15T09:00"}, "closes_at", "The deadline must be after the opening."),
        ({"opens_at": "2027-03-28T02:30"}, "opens_at", "This time does not exist"),
        ({"opens_at": "yesterday"}, "opens_at", "Give the date and time it opens."),
        ({"closes_at": ""}, "closes_at", "Give the deadline."),
        ({"max_ranked_focus_areas": "0"}, "max_ranked_focus_areas", "from 1 to 20"),
    ],
)
def test_invalid_consultation_is_shown_back_with_the_typed_text(staff, overrides, field, message):
    url = "/staff/consultations/new?lang=en"
    data = consultation_form(summary_da="Min lange tekst, som ikke må gå tabt.", **overrides)
    response = post(staff, url, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "Min lange tekst, som ikke må gå tabt." in html
    assert 'value="Health Agreement 2028–2031"' in html
    # An error summary at the top links to the field, which says it is invalid.
    assert 'role="alert"' in html and f'href="#{field}"' in html
    assert re.search(rf'<[^>]*id="{field}"[^>]*aria-invalid="true"', html) or re.search(
        rf'<[^>]*aria-invalid="true"[^>]*id="{field}"', html
    )
    assert by_slug("sundhedsaftale-2028-2031") is None


def test_danish_messages_by_default(staff):
    html = post(staff, "/staff/consultations/new", consultation_form(title_da="")).get_data(
        as_text=True
    )
    assert "The Danish title is required." not in html
    assert 'role="alert"' in html


def test_duplicate_slug_is_refused_on_create_and_on_edit(staff):
    existing = make_consultation()
    html = post(
        staff, "/staff/consultations/new?lang=en", consultation_form(slug=existing.slug)
    ).get_data(as_text=True)
    assert "Another consultation has this web address." in html
    assert (
        db.session.scalar(select(Consultation).where(Consultation.title_da.like("%2028%"))) is None
    )

    other = make_consultation()
    url = f"/staff/consultations/{other.slug}/edit?lang=en"
    data = consultation_form(slug=existing.slug, status=other.status.value)
    html = post(staff, url, data).get_data(as_text=True)
    assert "Another consultation has this web address." in html
    assert reload(Consultation, other.id).slug == other.slug


def test_edit_saves_text_dates_and_an_allowed_status(staff):
    c = make_consultation(status=Status.DRAFT)
    url = f"/staff/consultations/{c.slug}/edit"
    data = consultation_form(
        slug=c.slug,
        title_da="Nyt navn <script>x</script>",
        summary_en="Now in English.",
        opens_at="2027-02-01T08:00",
        closes_at="2027-08-01T23:59",
        status="open",
    )
    assert post(staff, url, data).status_code == 302
    c = reload(Consultation, c.id)
    assert c.title_da == "Nyt navn x"  # stored text is cleaned
    assert c.summary_en == "Now in English."
    assert c.opens_at == datetime(2027, 2, 1, 7, 0, tzinfo=UTC)
    assert c.closes_at == datetime(2027, 8, 1, 21, 59, tzinfo=UTC)
    assert c.status is Status.OPEN


def test_edit_refuses_a_status_the_transitions_do_not_allow(staff):
    c = make_consultation(status=Status.DRAFT)
    url = f"/staff/consultations/{c.slug}/edit?lang=en"
    data = consultation_form(slug=c.slug, title_da="Ændret titel", status="published")
    response = post(staff, url, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "cannot go from" in html and "Draft (staff only)" in html
    assert "Memo and new version published" in html
    assert 'value="Ændret titel"' in html
    c = reload(Consultation, c.id)
    assert c.status is Status.DRAFT and c.title_da != "Ændret titel"


# --- status --------------------------------------------------------------------------------------


def test_status_follows_the_allowed_transitions(staff):
    c = make_consultation(status=Status.DRAFT)
    url = f"/staff/consultations/{c.slug}/status"
    outline = f"/staff/consultations/{c.slug}/?lang=en"
    post(staff, url, {"status": "published"}, outline)
    assert reload(Consultation, c.id).status is Status.DRAFT
    html = staff.get(outline).get_data(as_text=True)
    assert (
        "A consultation cannot go from “Draft (staff only)” to “Memo and new version published”"
        in html
    )
    post(staff, url, {"status": "nonsense"}, outline)
    assert "Choose a status from the list." in staff.get(outline).get_data(as_text=True)
    assert reload(Consultation, c.id).status is Status.DRAFT
    post(staff, url, {"status": "open"}, outline)
    assert reload(Consultation, c.id).status is Status.OPEN
    post(staff, url, {"status": "closed"}, outline)
    post(staff, url, {"status": "reporting"}, outline)
    # Approval needs the parties who approve, and publishing every party's approval
    # (tests/drafts/test_workflow.py walks every transition).
    post(staff, url, {"status": "approval"}, outline)
    assert reload(Consultation, c.id).status is Status.REPORTING
    assert "Add the parties who approve" in staff.get(outline).get_data(as_text=True)
    party = add_party(None, c, "Region Hovedstaden")
    approver = make_user("approver")
    add_approver(None, c, party, approver.email)
    post(staff, url, {"status": "approval"}, outline)
    assert reload(Consultation, c.id).status is Status.APPROVAL
    post(staff, url, {"status": "published"}, outline)
    assert reload(Consultation, c.id).status is Status.APPROVAL
    assert "0 of 1 party has approved." in staff.get(outline).get_data(as_text=True)
    decide(approver, reload(Consultation, c.id), party, Decision.APPROVED, "")
    post(staff, url, {"status": "published"}, outline)
    assert reload(Consultation, c.id).status is Status.PUBLISHED
    # The outline offers only the allowed next statuses.
    html = staff.get(outline).get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\w+)"', html.split('name="status"', 1)[1])
    assert options == ["reporting"]


def test_a_post_without_its_csrf_token_changes_nothing(staff):
    c = make_consultation(status=Status.DRAFT)
    response = staff.post(f"/staff/consultations/{c.slug}/status", data={"status": "open"})
    assert response.status_code == 400
    assert reload(Consultation, c.id).status is Status.DRAFT
    response = staff.post("/staff/consultations/new", data=consultation_form())
    assert response.status_code == 400
    assert by_slug("sundhedsaftale-2028-2031") is None


# --- the staff home and the outline --------------------------------------------------------------


def test_staff_home_lists_every_consultation_with_phase_version_and_counts(staff):
    draft = make_consultation(status=Status.DRAFT, focus_areas=1, goals_per_area=1)
    shown = make_consultation(status=Status.OPEN, focus_areas=3, goals_per_area=2)
    post(
        staff,
        f"/staff/consultations/{shown.slug}/versions",
        {},
        f"/staff/consultations/{shown.slug}/",
    )
    html = staff.get("/staff/?lang=en").get_data(as_text=True)
    for c in (draft, shown):
        assert f'href="/staff/consultations/{c.slug}/"' in html
        assert f'href="/staff/consultations/{c.slug}/edit"' in html
        assert f'href="/consultations/{c.slug}/"' in html
    assert "Draft – visible to staff only" in html and "Open for input" in html
    assert "1 focus area, 1 goal, 1 initiative" in " ".join(html.split())
    assert "3 focus areas, 6 goals, 3 initiatives" in " ".join(html.split())
    assert "Draft 2" in html and "First draft" in html
    assert 'href="/staff/consultations/new"' in html


def test_the_outline_query_count_does_not_grow(staff, count_queries):
    counts = []
    for size in (1, 6):
        c = make_consultation(focus_areas=size, goals_per_area=size)
        with count_queries() as counter:
            assert staff.get(f"/staff/consultations/{c.slug}/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_staff_home_query_count_does_not_grow(staff, count_queries):
    counts = []
    for _ in range(2):
        make_consultation(focus_areas=2)
        make_consultation(focus_areas=3)
        with count_queries() as counter:
            assert staff.get("/staff/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# --- versions ------------------------------------------------------------------------------------


def test_new_version_copies_the_text_and_edits_touch_only_it(staff):
    c = make_consultation(focus_areas=1)
    goal = db.session.scalar(
        select(Item).where(Item.consultation_id == c.id, Item.key == "fa-1-goal-1")
    )
    initiative = db.session.scalar(
        select(Item).where(Item.consultation_id == c.id, Item.key == "fa-1-initiative")
    )
    outline = f"/staff/consultations/{c.slug}/"
    post(staff, f"/staff/consultations/{c.slug}/versions", {}, outline)
    versions = db.session.scalars(
        select(Version).where(Version.consultation_id == c.id).order_by(Version.number)
    ).all()
    assert [(v.number, v.label_da, v.label_en) for v in versions] == [
        (1, "1. udkast", "First draft"),
        (2, "2. udkast", "Draft 2"),
    ]
    old, new = versions
    count = {
        v.number: len(
            db.session.scalars(select(ItemRevision).where(ItemRevision.version_id == v.id)).all()
        )
        for v in versions
    }
    assert count[1] == count[2] > 0

    def revisions(item):
        db.session.expire_all()
        return {
            r.version.number: r
            for r in db.session.scalars(select(ItemRevision).where(ItemRevision.item_id == item.id))
        }

    copied = revisions(initiative)[2]
    assert copied.funds_dkk == 2_000_000 and copied.funds_note_da == "Til projektledelse."
    assert [g.text_da for g in copied.political_goals] == ["Flere udskrives trygt"]

    edit = f"/staff/consultations/{c.slug}/items/{goal.id}/edit"
    post(staff, edit, {"title_da": "Nyt mål", "body_da": ""})
    alternatives = f"/staff/consultations/{c.slug}/items/{goal.id}/alternatives"
    post(staff, alternatives, {"new-text_da": "Formulering C"}, edit)
    by_version = revisions(goal)
    assert by_version[1].title_da == "Mål 1.1" and by_version[2].title_da == "Nyt mål"
    assert [a.text_da for a in by_version[1].alternatives] == ["Formulering A", "Formulering B"]
    assert [a.text_da for a in by_version[2].alternatives] == [
        "Formulering A",
        "Formulering B",
        "Formulering C",
    ]
    # The outline and the public page read the new version.
    assert "2. udkast" in staff.get(outline).get_data(as_text=True)
    # Removing from version 2 keeps the item and its version 1 text.
    post(staff, f"/staff/consultations/{c.slug}/items/{goal.id}/delete", {}, outline)
    assert reload(Item, goal.id) is not None
    assert list(revisions(goal)) == [1]
