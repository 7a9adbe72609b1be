"""What the personal-data guard returns: flagged spans and their kinds."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """What kind of personal data a flagged span looks like."""

    CPR = "cpr"
    PHONE = "phone"
    EMAIL = "email"
    HEALTH_NAME = "health_name"


#: When two detectors flag overlapping text, the one earlier here wins.
PRECEDENCE = (Kind.CPR, Kind.EMAIL, Kind.PHONE, Kind.HEALTH_NAME)


@dataclass(frozen=True)
class Flag:
    """A span of text that looks like personal data; ``end`` is exclusive."""

    start: int
    end: int
    kind: Kind
