"""Fixtures for responding: an open consultation, reference data and a signed-in citizen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in


@pytest.fixture
def citizen(client):
    load_reference_data()
    consultation = make_consultation(focus_areas=3, goals_per_area=2, closes_in=timedelta(days=3))
    sign_in(client, make_user(email="borger@example.dk"))
    return client, consultation
