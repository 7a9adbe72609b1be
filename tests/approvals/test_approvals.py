"""Sign-off: named parties approve the memo and the final draft; a change resets approvals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.analysis import services as analysis
from consult.analysis.models import Disposition
from consult.approvals import services as approvals
from consult.approvals.models import Approval
from consult.approvals.models import Decision
from consult.audit.models import AuditEvent
from consult.drafts import editing
from consult.drafts import trail as trails
from consult.drafts import workflow
from consult.drafts.models import Status
from consult.extensions import db
from tests.factories import csrf_token
from tests.factories import make_user
from tests.factories import sign_in

PARTIES = ("Region Hovedstaden", "KKR Hovedstaden", "PLO Hovedstaden")


@pytest.fixture
def signing(reported):
    """The reported consultation with three parties, one approver each, in approval."""
    c = reported.consultation
    made = []
    for name in PARTIES:
        party = approvals.add_party(reported.secretariat, c, name)
        approver = make_user("approver", name=f"Godkender {name}")
        approvals.add_approver(reported.secretariat, c, party, approver.email)
        made.append((party, approver))
    workflow.move(c, Status.APPROVAL, reported.secretariat)
    reported.parties = made
    return reported


def approve_all(signing, but: int = 0):
    c = signing.consultation
    for party, approver in signing.parties[: len(signing.parties) - but]:
        approvals.decide(approver, c, party, Decision.APPROVED, "")


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_approval_stores_the_version_and_a_fingerprint_of_the_document(signing):
    c = signing.consultation
    party, approver = signing.parties[0]
    approval = approvals.decide(approver, c, party, Decision.APPROVED, "Fint.")
    assert approval.version_id == signing.working_copy.id
    assert approval.fingerprint == approvals.fingerprint(c, signing.working_copy)
    assert len(approval.fingerprint) == 64
    assert approvals.sign_off(c).approved == 1
    assert "approvals.approved" in actions()


@pytest.mark.parametrize("change", ["text", "trail", "reply", "order", "new_item"])
def test_any_change_to_the_document_resets_every_approval(signing, change):
    c = signing.consultation
    approve_all(signing)
    assert approvals.sign_off(c).complete
    before = approvals.fingerprint(c, signing.working_copy)
    if change == "text":
        editing.update_revision(signing.revision(), title_da="Et nyt mål")
    elif change == "trail":
        trails.save_change(
            signing.secretariat, c, signing.working_copy, signing.item(),
            reason_da="Mange bad om det.", reason_en="", input_ids=[], tag_ids=[],
        )  # fmt: skip
    elif change == "reply":
        analysis.save_reply(
            c.id, signing.secretariat, signing.inputs(signing.citizen), text="Tak.",
            disposition=Disposition.NOTED, reason="", ready=True,
        )  # fmt: skip
    elif change == "order":
        editing.move_item(c, signing.working_copy, signing.item(), 1)
    else:
        editing.add_item(
            c, signing.working_copy, kind=editing.ItemKind.VISION, parent=None, key=None,
            title_da="En ny vision",
        )  # fmt: skip
    assert approvals.fingerprint(c, signing.working_copy) != before
    state = approvals.sign_off(c)
    assert state.approved == 0 and not state.complete
    assert all(p.latest is not None and p.decision is None for p in state.parties)
    assert workflow.missing_for(c, Status.PUBLISHED)
    # The reset is marked on the rows and logged once.
    assert approvals.reset_stale(c, signing.secretariat) == 3
    assert approvals.reset_stale(c, signing.secretariat) == 0
    rows = db.session.scalars(select(Approval)).all()
    assert all(a.reset_at is not None for a in rows)
    assert actions().count("approvals.reset") == 1
    # Approved again on the new text, it can be published.
    approve_all(signing)
    workflow.move(c, Status.PUBLISHED, signing.secretariat, news_link="http://x/")
    assert c.status is Status.PUBLISHED


def test_an_edit_in_the_browser_resets_and_logs_the_approvals(signing, client):
    c = signing.consultation
    approve_all(signing)
    sign_in(client, signing.secretariat)
    url = f"/staff/consultations/{c.slug}/items/{signing.item().id}/edit"
    response = client.post(
        url, data={"title_da": "Rettet efter PLO", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 302
    assert approvals.sign_off(c).approved == 0
    assert "approvals.reset" in actions()


def test_reading_the_document_changes_nothing(signing):
    c = signing.consultation
    approve_all(signing)
    first = approvals.fingerprint(c, signing.working_copy)
    approvals.sign_off(c)
    assert approvals.fingerprint(c, signing.working_copy) == first
    assert approvals.sign_off(c).complete


def test_asking_for_changes_needs_a_comment_and_blocks_publishing(signing):
    c = signing.consultation
    party, approver = signing.parties[2]
    with pytest.raises(approvals.ApprovalError, match="comment_required"):
        approvals.decide(approver, c, party, Decision.CHANGES_REQUESTED, "  ")
    approvals.decide(approver, c, party, Decision.CHANGES_REQUESTED, "Ret mål 1.1.")
    approve_all(signing, but=1)
    state = approvals.sign_off(c)
    assert state.approved == 2 and state.parties[2].changes_requested
    with pytest.raises(workflow.WorkflowError):
        workflow.move(c, Status.PUBLISHED, signing.secretariat)


def test_only_a_partys_own_approvers_decide_and_only_in_approval(signing, reported):
    c = signing.consultation
    (region, region_approver), (kkr, _kkr_approver) = signing.parties[:2]
    with pytest.raises(approvals.ApprovalError, match="not_approver"):
        approvals.decide(region_approver, c, kkr, Decision.APPROVED, "")
    workflow.move(c, Status.REPORTING, signing.secretariat)
    with pytest.raises(approvals.ApprovalError, match="not_in_approval"):
        approvals.decide(region_approver, c, region, Decision.APPROVED, "")


def test_an_approver_must_have_the_role(signing):
    c = signing.consultation
    party = signing.parties[0][0]
    with pytest.raises(approvals.ApprovalError, match="not_approver_role"):
        approvals.add_approver(None, c, party, make_user("secretariat").email)
    with pytest.raises(approvals.ApprovalError, match="no_account"):
        approvals.add_approver(None, c, party, "nobody@example.dk")


def test_the_record_for_the_memo_says_who_approved_which_version_and_when(signing):
    c = signing.consultation
    approve_all(signing)
    workflow.move(c, Status.PUBLISHED, signing.secretariat, news_link="http://x/")
    record = approvals.approval_record(c)
    assert [r.party_da for r in record] == list(PARTIES)
    assert {r.version_number for r in record} == {2}
    assert record[0].approver_name == "Godkender Region Hovedstaden"
    assert all(r.decided_at is not None and len(r.fingerprint) == 64 for r in record)


def test_an_approver_reads_the_document_and_decides_in_the_browser(signing, client):
    c = signing.consultation
    party, approver = signing.parties[1]
    sign_in(client, approver)
    mine = client.get("/approvals/?lang=en").get_data(as_text=True)
    assert c.title_en in mine and "0 of 3 parties have approved." in mine
    url = f"/approvals/{c.slug}/?lang=en"
    html = client.get(url).get_data(as_text=True)
    assert "Your decision" in html and "What changed in Draft 2" in html
    # Asking for changes without a comment is refused with the reason.
    data = {"party_id": str(party.id), "decision": "changes_requested", "comment": ""}
    response = client.post(
        f"/approvals/{c.slug}/decide", data={**data, "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 400
    assert "a comment is required" in response.get_data(as_text=True)
    data = {"party_id": str(party.id), "decision": "approved", "comment": "OK fra KKR."}
    response = client.post(
        f"/approvals/{c.slug}/decide", data={**data, "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 302
    assert approvals.sign_off(c).parties[1].approved
    html = client.get(url).get_data(as_text=True)
    assert "1 of 3 parties have approved." in html and "OK fra KKR." in html


def test_an_approver_of_another_consultation_sees_nothing_of_this_one(signing, client):
    c = signing.consultation
    sign_in(client, make_user("approver"))
    assert client.get(f"/approvals/{c.slug}/").status_code == 404
    url = "/approvals/"
    response = client.post(
        f"/approvals/{c.slug}/decide",
        data={"party_id": str(signing.parties[0][0].id), "decision": "approved",
              "csrf_token": csrf_token(client, url)},
    )  # fmt: skip
    assert response.status_code == 404
    assert approvals.sign_off(c).approved == 0


def test_the_secretariat_sets_up_the_parties_in_the_browser(reported, client):
    c = reported.consultation
    sign_in(client, reported.secretariat)
    url = f"/staff/consultations/{c.slug}/parties?lang=en"
    response = client.post(
        url,
        data={"name_da": "PLO Hovedstaden", "name_en": "", "csrf_token": csrf_token(client, url)},
    )
    assert response.status_code == 302
    party = approvals.parties(c)[0]
    approver = make_user("approver", email="plo@example.dk")
    response = client.post(
        f"/staff/consultations/{c.slug}/parties/{party.id}/approvers",
        data={f"p{party.id}-email": "plo@example.dk", "csrf_token": csrf_token(client, url)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [u.id for u in approvals.parties(c)[0].approvers] == [approver.id]
    assert "plo@example.dk" in client.get(url).get_data(as_text=True)
    assert {"approvals.add_party", "approvals.add_approver"} <= set(actions())


def test_the_record_of_a_published_version_survives_the_next_working_copy(signing):
    c = signing.consultation
    approve_all(signing)
    workflow.move(c, Status.PUBLISHED, signing.secretariat, news_link="http://x/")
    published = signing.working_copy
    workflow.move(c, Status.REPORTING, signing.secretariat)
    editing.start_new_version(c, published)
    assert approvals.reset_stale(c, signing.secretariat) == 0
    record = approvals.approval_record(c, published)
    assert [r.party_da for r in record] == list(PARTIES)
    assert approvals.approval_record(c) == []  # nothing approved of version 3 yet
