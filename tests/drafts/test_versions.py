"""A new version is a working copy: staff edit, preview and compare it; the public reads the
version before until it is published, and can always read every version and what changed."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from consult.audit.models import AuditEvent
from consult.drafts import editing
from consult.drafts import workflow
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.drafts.services import current_version
from consult.drafts.services import editable_version
from consult.drafts.services import load_tree
from consult.drafts.services import working_copy
from consult.extensions import db
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def staff(client):
    sign_in(client, make_user("secretariat"))
    return client


def rename_goal(c, version, title="Flere ældre trives hjemme"):
    revision = load_tree(version).by_key["fa-1-goal-1"].revision
    editing.update_revision(revision, title_da=title, title_en=title)
    return revision


def test_the_public_reads_the_published_version_until_the_working_copy_is_published(client):
    c = make_consultation(status=Status.OPEN)
    first = c.versions[0]
    copy = editing.start_new_version(c, first)
    rename_goal(c, copy)
    assert copy.is_working_copy and working_copy(c) is copy
    assert current_version(c) is first and editable_version(c) is copy
    assert "Flere ældre trives hjemme" not in text(client.get(f"/consultations/{c.slug}/"))
    assert "Mål 1.1" in text(client.get(f"/consultations/{c.slug}/items/fa-1-goal-1"))
    # The working copy has no public address.
    assert client.get(f"/consultations/{c.slug}/versions/2/").status_code == 404
    assert client.get(f"/consultations/{c.slug}/versions/2/changes").status_code == 404
    assert client.get(f"/consultations/{c.slug}/versions/1/").status_code == 200


def test_only_one_working_copy_at_a_time(staff):
    c = make_consultation(status=Status.REPORTING)
    editing.start_new_version(c, c.versions[0])
    with pytest.raises(editing.EditError, match="working_copy_exists"):
        editing.start_new_version(c, c.versions[0])
    url = f"/staff/consultations/{c.slug}/"
    staff.post(
        f"/staff/consultations/{c.slug}/versions", data={"csrf_token": csrf_token(staff, url)}
    )
    assert (
        len(db.session.scalars(select(Version).where(Version.consultation_id == c.id)).all()) == 2
    )


def test_staff_start_preview_and_compare_a_working_copy(staff):
    c = make_consultation(status=Status.REPORTING)
    outline = f"/staff/consultations/{c.slug}/?lang=en"
    response = staff.post(
        f"/staff/consultations/{c.slug}/versions", data={"csrf_token": csrf_token(staff, outline)}
    )
    assert response.status_code == 302
    html = text(staff.get(outline))
    assert "working copy: the public does not see it yet" in html
    copy = working_copy(c)
    rename_goal(c, copy)
    preview = text(staff.get(f"/staff/consultations/{c.slug}/versions/2/preview?lang=en"))
    assert "Preview of the working copy." in preview and "Flere ældre trives hjemme" in preview
    compare = staff.get(f"/staff/consultations/{c.slug}/versions/2/changes?lang=en")
    html = compare.get_data(as_text=True)
    assert '<del><span class="visually-hidden">[removed: </span>EN Mål 1.1<' in html
    assert "[added: </span>Flere ældre trives hjemme" in html
    assert "Write why it changed and link the input" in html
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "drafts.start_version"))
        is not None
    )


def test_a_draft_consultations_working_copy_is_published_in_one_step(staff):
    c = make_consultation(status=Status.DRAFT)
    copy = editing.start_new_version(c, c.versions[0])
    rename_goal(c, copy)
    url = f"/staff/consultations/{c.slug}/versions/2/changes"
    response = staff.post(
        f"/staff/consultations/{c.slug}/versions/2/publish",
        data={"csrf_token": csrf_token(staff, url)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert current_version(c).number == 2 and working_copy(c) is None


@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED, Status.REPORTING])
def test_a_public_consultations_working_copy_waits_for_the_sign_off(staff, status):
    c = make_consultation(status=status)
    editing.start_new_version(c, c.versions[0])
    url = f"/staff/consultations/{c.slug}/versions/2/changes?lang=en"
    response = staff.post(
        f"/staff/consultations/{c.slug}/versions/2/publish",
        data={"csrf_token": csrf_token(staff, url)},
        follow_redirects=True,
    )
    assert "published through the sign-off" in text(response)
    db.session.expire_all()
    assert working_copy(c) is not None and current_version(c).number == 1


def test_every_published_version_and_the_changes_stay_public(client):
    c = make_consultation(status=Status.OPEN)
    copy = editing.start_new_version(c, c.versions[0])
    rename_goal(c, copy)
    c.status = Status.APPROVAL
    workflow.publish(c, None, news_link="http://x/")
    listing = text(client.get(f"/consultations/{c.slug}/versions/?lang=en"))
    assert "Draft 2" in listing and "First draft" in listing
    assert "Flere ældre trives hjemme" in text(client.get(f"/consultations/{c.slug}/versions/2/"))
    assert "Mål 1.1" in text(client.get(f"/consultations/{c.slug}/versions/1/"))
    html = client.get(f"/consultations/{c.slug}/versions/2/changes?lang=en").get_data(as_text=True)
    assert "[removed: </span>EN Mål" in html and "Changed" in html
    # The draft's page says what changed since the version before.
    assert "What changed, and why" in text(client.get(f"/consultations/{c.slug}/?lang=en"))
    page = text(client.get(f"/consultations/{c.slug}/items/fa-1-goal-1?lang=en"))
    assert "What changed and why" in page and "Compare with First draft" in page


YAML = """consultation:
  slug: {slug}
  title: {{da: "Sundhedsaftale", en: "Health agreement"}}
  status: draft
  opens_at: "2026-11-02 09:00"
  closes_at: "2027-01-29 12:00"
version:
  number: 9
  label: {{da: "2. udkast", en: "Second draft"}}
items:
  - kind: focus_area
    key: fa-1
    title: {{da: "Fokusområde 1"}}
    children:
      - kind: goal
        key: fa-1-goal-1
        title: {{da: "{goal}"}}
"""


def upload(staff, c, source: bytes):
    url = f"/staff/consultations/{c.slug}/versions/import?lang=en"
    return staff.post(
        url,
        data={"csrf_token": csrf_token(staff, url), "file": (io.BytesIO(source), "draft.yaml")},
        content_type="multipart/form-data",
    )


def test_a_yaml_upload_becomes_the_working_copy_and_replaces_its_text(staff):
    c = make_consultation(status=Status.REPORTING)
    response = upload(staff, c, YAML.format(slug=c.slug, goal="Fra en fil").encode())
    assert response.status_code == 302
    copy = working_copy(c)
    assert copy.number == 2 and c.status is Status.REPORTING  # the file's status is not used
    assert load_tree(copy).by_key["fa-1-goal-1"].revision.title_da == "Fra en fil"
    assert set(load_tree(copy).by_key) == {"fa-1", "fa-1-goal-1"}
    # A second upload replaces the working copy's text; it stays version 2.
    assert upload(staff, c, YAML.format(slug=c.slug, goal="Igen").encode()).status_code == 302
    db.session.expire_all()
    copy = working_copy(c)
    assert copy.number == 2
    assert load_tree(copy).by_key["fa-1-goal-1"].revision.title_da == "Igen"
    assert current_version(c).number == 1


def test_a_bad_upload_names_the_problem_and_loads_nothing(staff):
    c = make_consultation(status=Status.REPORTING)
    html = text(upload(staff, c, YAML.format(slug="another-one", goal="X").encode()))
    assert "The file was not imported" in html and "another-one" in html
    html = text(upload(staff, c, b"consultation: [unclosed\n"))
    assert "The file was not imported" in html
    html = text(upload(staff, c, "æøå".encode("latin-1")))
    assert "not saved as UTF-8" in html
    assert working_copy(c) is None
