"""A consultation past its deadline with published input, in reporting, with a working copy."""

from __future__ import annotations

import pytest

from tests.factories import Reported
from tests.factories import make_reported


@pytest.fixture
def reported() -> Reported:
    return make_reported()
