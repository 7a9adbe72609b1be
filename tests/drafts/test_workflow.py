"""The workflow: every transition, allowed or refused, what each needs first, and the words
staff read about where a consultation stands."""

from __future__ import annotations

from itertools import product

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from consult.approvals import services as approvals
from consult.approvals.models import Decision
from consult.audit.models import AuditEvent
from consult.drafts import editing
from consult.drafts import workflow
from consult.drafts.models import STATUS_TRANSITIONS
from consult.drafts.models import Status
from consult.drafts.services import current_version
from consult.drafts.services import working_copy
from consult.extensions import db
from consult.jobs.models import Job
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in

PAIRS = [(old, new) for old, new in product(Status, Status) if old is not new]


def parties(c, n: int = 3):
    """Three parties with one approver each, as the health cooperation committee has."""
    made = []
    for name in ("Region Hovedstaden", "KKR Hovedstaden", "PLO Hovedstaden")[:n]:
        party = approvals.add_party(None, c, name)
        approver = make_user("approver")
        approvals.add_approver(None, c, party, approver.email)
        made.append((party, approver))
    return made


def ready_for(c, new: Status):
    """Meet what ``new`` needs: parties before approval, every approval before publishing."""
    if new in (Status.APPROVAL, Status.PUBLISHED) or c.status is Status.APPROVAL:
        made = parties(c)
        if new is Status.PUBLISHED and c.status is Status.APPROVAL:
            for party, approver in made:
                approvals.decide(approver, c, party, Decision.APPROVED, "")


def test_the_transitions_are_the_documented_workflow():
    assert STATUS_TRANSITIONS == {
        Status.DRAFT: (Status.OPEN,),
        Status.OPEN: (Status.DRAFT, Status.CLOSED),
        Status.CLOSED: (Status.OPEN, Status.REPORTING),
        Status.REPORTING: (Status.CLOSED, Status.APPROVAL),
        Status.APPROVAL: (Status.REPORTING, Status.PUBLISHED),
        Status.PUBLISHED: (Status.REPORTING,),
    }


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=lambda s: s.value)
def test_every_transition_is_allowed_or_refused(old, new):
    c = make_consultation(status=old)
    actor = make_user("secretariat")
    ready_for(c, new)
    if new in STATUS_TRANSITIONS[old]:
        workflow.move(c, new, actor, news_link="http://x/")
        assert c.status is new
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "drafts.status", AuditEvent.subject_id == c.id
            )
        )
        assert event is not None and f'"new": "{new.value}"' in event.details
    else:
        with pytest.raises(editing.EditError) as error:
            workflow.move(c, new, actor)
        assert error.value.code == "transition"
        assert c.status is old


def test_approval_needs_parties_each_with_an_approver(app):
    c = make_consultation(status=Status.REPORTING)
    with app.test_request_context("/"), force_locale("en"):
        with pytest.raises(workflow.WorkflowError) as error:
            workflow.move(c, Status.APPROVAL, None)
        assert error.value.details["missing"] == [
            "Add the parties who approve the memo and the final draft."
        ]
        approvals.add_party(None, c, "KKR Hovedstaden")
        assert workflow.missing_for(c, Status.APPROVAL) == ["KKR Hovedstaden has no approver yet."]
    assert c.status is Status.REPORTING


def test_publishing_needs_every_party_and_says_how_many_have_approved(app):
    c = make_consultation(status=Status.REPORTING)
    made = parties(c)
    workflow.move(c, Status.APPROVAL, None)
    for n, (party, approver) in enumerate(made):
        with app.test_request_context("/"), force_locale("en"):
            assert workflow.missing_for(c, Status.PUBLISHED) == [f"{n} of 3 parties have approved."]
            info = workflow.describe(c)
        assert info.sign_off.approved == n and dict(info.next)[Status.PUBLISHED]
        with pytest.raises(workflow.WorkflowError):
            workflow.move(c, Status.PUBLISHED, None)
        approvals.decide(approver, c, party, Decision.APPROVED, "")
    assert workflow.missing_for(c, Status.PUBLISHED) == []
    workflow.move(c, Status.PUBLISHED, None, news_link="http://x/")
    assert c.status is Status.PUBLISHED


def test_publishing_publishes_the_working_copy_and_queues_the_news_once():
    c = make_consultation(status=Status.REPORTING)
    copy = editing.start_new_version(c, c.versions[0])
    made = parties(c, 1)
    workflow.move(c, Status.APPROVAL, None)
    approvals.decide(made[0][1], c, made[0][0], Decision.APPROVED, "")
    published = workflow.move(c, Status.PUBLISHED, None, news_link="http://x/")
    assert published is copy and not copy.is_working_copy
    assert current_version(c) is copy and working_copy(c) is None
    jobs = db.session.scalars(select(Job).where(Job.kind == "drafts.send_version_news")).all()
    assert [j.args for j in jobs] == [{"version_id": copy.id, "link": "http://x/"}]
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "drafts.publish_version")
        ).subject_id
        == copy.id
    )


def test_the_staff_page_says_where_it_stands_and_what_is_missing(client):
    c = make_consultation(status=Status.REPORTING)
    sign_in(client, make_user("secretariat"))
    html = client.get(f"/staff/consultations/{c.slug}/?lang=en").get_data(as_text=True)
    assert "Where it stands: Reporting" in html
    assert "The secretariat replies to the input" in html
    assert "missing first: Add the parties who approve" in html
    made = parties(c)
    workflow.move(c, Status.APPROVAL, None)
    approvals.decide(made[0][1], c, made[0][0], Decision.APPROVED, "")
    approvals.decide(made[1][1], c, made[1][0], Decision.APPROVED, "")
    html = client.get(f"/staff/consultations/{c.slug}/?lang=en").get_data(as_text=True)
    assert "2 of 3 parties have approved." in html
    plo = html.split("PLO Hovedstaden", 1)[1]
    assert "not decided yet" in plo.split("</li>", 1)[0]
    html = client.get(f"/staff/consultations/{c.slug}/?lang=da").get_data(as_text=True)
    assert "2 af 3 parter har godkendt." in html
