"""A planned session on an open consultation, with two groups and two participants."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.accounts.models import Role
from consult.db import utcnow
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.reference.seed import load_reference_data
from consult.sessions import services
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in
from tests.helpers import type_id


@pytest.fixture
def planned(client):
    """A facilitator signed in, and the session they are to run (planned, not started)."""
    load_reference_data()
    consultation = make_consultation(focus_areas=2, goals_per_area=2)
    tree = load_tree(current_version(consultation))
    facilitator = make_user(Role.FACILITATOR, name="Fie Facilitator")
    spec = services.MeetingSpec(
        title="Temamøde med patientinddragelsesudvalget",
        starts_at=utcnow() + timedelta(hours=1),
        place="Regionsgården, Hillerød",
        online_url="",
        locale="da",
        participant_count=14,
        confirm_days=8,
        facilitators=[facilitator],
        agenda=[tree.by_key["fa-1"].item.id, tree.by_key["fa-2-goal-1"].item.id],
        groups=[
            services.GroupSpec(type_id("patient-representative"), "", 9),
            services.GroupSpec(type_id("patient-association"), "Danske Patienter", 3),
        ],
        emails=["deltager1@example.dk", "deltager2@example.dk"],
    )
    meeting = services.create_meeting(facilitator, consultation, spec, tree)
    sign_in(client, facilitator)
    return client, meeting, tree, facilitator
