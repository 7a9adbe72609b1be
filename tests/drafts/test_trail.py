"""The decision trail: each change links the inputs and themes behind it and says why; the
public sees the voices by respondent group, counting and linking only published input."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from consult.analysis import services as analysis
from consult.analysis.models import Disposition
from consult.audit.models import AuditEvent
from consult.drafts import editing
from consult.drafts import trail as trails
from consult.drafts import workflow
from consult.drafts.models import Status
from consult.extensions import db
from consult.moderation.models import Contribution
from tests.factories import csrf_token
from tests.factories import sign_in


def link(reported, *responses, tags=(), reason="Mange ønskede fokus på ældre."):
    return trails.save_change(
        reported.secretariat,
        reported.consultation,
        reported.working_copy,
        reported.item(),
        reason_da=reason,
        reason_en="Many asked for a focus on older people.",
        input_ids=reported.inputs(*responses) if responses else [],
        tag_ids=[t.id for t in tags],
    )


def publish(reported):
    c = reported.consultation
    editing.update_revision(reported.revision(), title_da="Flere ældre trives", title_en="More")
    c.status = Status.APPROVAL
    workflow.publish(c, reported.secretariat, news_link="http://x/")


def test_staff_count_every_submitted_input_the_public_only_published_ones(reported):
    link(reported, reported.citizen, reported.organisation, reported.private)
    staff = trails.trail(reported.consultation, reported.working_copy, public=False)
    public = trails.trail(reported.consultation, reported.working_copy, public=True)
    [entry] = staff.entries
    assert entry.key == "fa-1-goal-1" and entry.reason_da.startswith("Mange")
    # The organisation answered two goals; only its input on this goal is linked.
    assert entry.voices == 3 and len(entry.input_ids) == 3
    assert {(v.group_en, v.count) for v in entry.by_group} == {
        ("Citizen", 2), ("Patient association", 1),
    }  # fmt: skip
    [seen] = public.entries
    assert seen.voices == 2 and seen.input_ids == []
    assert {(v.group_en, v.count) for v in seen.by_group} == {
        ("Citizen", 1), ("Patient association", 1),
    }  # fmt: skip
    private = db.session.scalar(
        select(Contribution.id).where(Contribution.response_id == reported.private.id)
    )
    assert private not in seen.contribution_ids and len(seen.contribution_ids) == 2
    # Plain JSON for the export.
    assert json.loads(json.dumps(public.as_dict()))["entries"][0]["voices"] == 2


def test_a_theme_brings_every_input_tagged_with_it(reported):
    c = reported.consultation
    tag = analysis.create_tag(c.id, "ældre")
    analysis.tag_inputs(tag, select(Contribution.input_id).where(
        Contribution.response_id.in_([reported.citizen.id, reported.organisation.id]),
        Contribution.input_id.is_not(None),
    ))  # fmt: skip
    link(reported, reported.citizen, tags=[tag])
    [entry] = trails.trail(c, reported.working_copy, public=False).entries
    # The citizen's input counts once, though linked and tagged; the organisation's two count.
    assert entry.voices == 3 and entry.tags == ["ældre"]


def test_only_earlier_input_and_the_consultations_own_tags_can_be_linked(reported):
    from tests.factories import make_consultation

    other = make_consultation()
    foreign = analysis.create_tag(other.id, "fremmed")
    change = trails.save_change(
        reported.secretariat, reported.consultation, reported.working_copy, reported.item(),
        reason_da="Hvorfor", reason_en="", input_ids=[999_999], tag_ids=[foreign.id],
    )  # fmt: skip
    assert change.inputs == [] and change.tags == []


def test_an_empty_note_removes_the_entry_and_english_alone_is_refused(reported):
    link(reported, reported.citizen)
    with pytest.raises(trails.TrailError, match="reason_da"):
        trails.save_change(
            reported.secretariat, reported.consultation, reported.working_copy,
            reported.item(), reason_da="", reason_en="Only English", input_ids=[], tag_ids=[],
        )  # fmt: skip
    assert trails.save_change(
        reported.secretariat, reported.consultation, reported.working_copy, reported.item(),
        reason_da="", reason_en="", input_ids=[], tag_ids=[],
    ) is None  # fmt: skip
    assert trails.trail(reported.consultation, reported.working_copy).entries == []
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "drafts.trail" in actions and "drafts.trail_remove" in actions


def test_a_published_version_keeps_its_reasons(reported):
    link(reported, reported.citizen)
    publish(reported)
    with pytest.raises(trails.TrailError, match="published"):
        link(reported, reported.organisation)


def test_a_reply_that_incorporated_input_points_to_its_change(reported):
    change = link(reported, reported.citizen)
    reply = analysis.save_reply(
        reported.consultation.id, reported.secretariat, reported.inputs(reported.citizen),
        text="Tak, vi har skrevet det ind.", disposition=Disposition.INCORPORATED, reason="",
        ready=True,
    )  # fmt: skip
    assert trails.changes_for_reply(reply) == [change]


def test_the_public_sees_what_changed_why_and_who_is_behind_it(reported, client):
    link(reported, reported.citizen, reported.organisation, reported.private)
    c = reported.consultation
    # Not while it is a working copy.
    assert client.get(f"/consultations/{c.slug}/versions/2/changes").status_code == 404
    publish(reported)
    html = client.get(f"/consultations/{c.slug}/versions/2/changes?lang=en").get_data(as_text=True)
    assert "Many asked for a focus on older people." in html
    assert "2 inputs are behind this change:" in html
    assert "Citizen: 1" in html and "Patient association: 1" in html
    why = client.get(f"/consultations/{c.slug}/versions/2/items/fa-1-goal-1/why?lang=en")
    html = why.get_data(as_text=True)
    assert "Mere om ældre borgere, tak." in html and "We support the goal." in html
    assert "Privat input." not in html
    item = client.get(f"/consultations/{c.slug}/items/fa-1-goal-1?lang=en").get_data(as_text=True)
    assert "What changed and why" in item and "Many asked for a focus" in item
    # Each published input behind it says so where the public reads it.
    listing = client.get(f"/consultations/{c.slug}/items/fa-1-goal-1/input?lang=en")
    assert listing.get_data(as_text=True).count("This input is behind a change in version 2.") == 2
    other = client.get(f"/consultations/{c.slug}/items/fa-2-goal-1/input?lang=en")
    assert "behind a change" not in other.get_data(as_text=True)


def test_the_secretariat_writes_why_in_the_browser(reported, client):
    c = reported.consultation
    sign_in(client, reported.secretariat)
    url = f"/staff/consultations/{c.slug}/items/{reported.item().id}/change?lang=en"
    html = client.get(url).get_data(as_text=True)
    assert "Mere om ældre borgere, tak." in html  # staff read every submitted input
    ids = reported.inputs(reported.citizen)
    response = client.post(
        url,
        data={"reason_da": "Fordi", "reason_en": "", "inputs": [str(i) for i in ids],
              "csrf_token": csrf_token(client, url)},
    )  # fmt: skip
    assert response.status_code == 302
    [entry] = trails.trail(c, reported.working_copy, public=False).entries
    assert entry.input_ids == ids and entry.reason_da == "Fordi"
    compare = client.get(f"/staff/consultations/{c.slug}/versions/2/changes?lang=en")
    assert "1 input is behind this change:" in compare.get_data(as_text=True)
