"""The decision trail and the sign-off reach the memo, the public report and the JSON export."""

from __future__ import annotations

import json

from consult.drafts import editing
from consult.drafts import trail as trails
from consult.drafts.services import load_tree
from consult.exports import files
from consult.exports.memo import build_memo
from tests.factories import make_reported


def _changed():
    reported = make_reported()
    trails.save_change(
        reported.secretariat,
        reported.consultation,
        reported.working_copy,
        reported.item(),
        reason_da="Mange ønskede fokus på ældre.",
        reason_en="Many asked for a focus on older people.",
        input_ids=reported.inputs(reported.citizen, reported.organisation, reported.private),
        tag_ids=[],
    )
    editing.update_revision(reported.revision(), title_da="Flere ældre trives", title_en="More")
    return reported, load_tree(reported.working_copy)


def test_the_memo_says_why_and_counts_every_input_behind_a_change(ctx):
    reported, tree = _changed()
    memo = build_memo(reported.consultation, tree, public=False, lang="da")
    change = next(c for c in memo.changes if c.title == "Flere ældre trives")
    assert change.why == "Mange ønskede fokus på ældre."
    assert change.voices.startswith("3 input")  # the private one counts in the memo
    public = build_memo(reported.consultation, tree, public=True, lang="en")
    change = next(c for c in public.changes if c.title == "More")
    assert change.why == "Many asked for a focus on older people."
    assert change.voices.startswith("2 inputs")  # the public report: published input only


def test_the_json_export_carries_the_trail_and_the_sign_off(ctx):
    reported, tree = _changed()
    text = "".join(files.text_chunks("json", reported.consultation, tree, public=True))
    head = json.loads(text)
    assert head["trail"]["entries"][0]["reason_da"] == "Mange ønskede fokus på ældre."
    assert head["trail"]["entries"][0]["voices"] == 2
    assert head["approvals"] == []


def test_an_approver_gets_the_memo_they_approve_and_nothing_else(ctx, app, run_jobs):
    from consult.accounts.models import Role
    from consult.approvals import services as approvals
    from tests.factories import csrf_token
    from tests.factories import make_user
    from tests.factories import sign_in

    reported, _tree = _changed()
    c = reported.consultation
    approver = make_user(Role.APPROVER, email="godkender@example.dk")
    party = approvals.add_party(reported.secretariat, c, "Region Hovedstaden", "Capital Region")
    approvals.add_approver(reported.secretariat, c, party, approver.email)
    client = app.test_client()
    sign_in(client, approver)
    page = f"/approvals/{c.slug}/"
    asked = client.post(f"/approvals/{c.slug}/memo", data={"csrf_token": csrf_token(client, page)})
    assert asked.status_code == 302 and "/exports/" in asked.location
    run_jobs()
    status = client.get(asked.location)
    assert status.status_code == 200
    download = client.get(asked.location + "/file")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    # The raw exports stay the secretariat's.
    assert client.get(f"/staff/consultations/{c.slug}/exports/").status_code == 403
