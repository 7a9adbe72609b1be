"""A consultation with input on three themes, some of it published, for the theme pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user

LABELLED = Path(__file__).parent.parent / "data" / "themes_labelled.jsonl"
THEMES = ("Ventetider", "Transport og afstand til behandling", "Pårørende")
PER_THEME = 8
#: Planted in one unpublished input: never quoted, and its CPR number shown to no one.
UNPUBLISHED = "MRKWAITING"
CPR = "010190-2231"


@dataclass
class World:
    consultation: object
    secretariat: object
    #: Input ids by their theme in the labelled set.
    by_theme: dict[str, list[int]]
    published: set[int]
    #: The input holding the CPR number and UNPUBLISHED.
    secret: int


def labelled() -> dict[str, list[str]]:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    return {t: [r["text"] for r in rows if r["theme"] == t][:PER_THEME] for t in THEMES}


@pytest.fixture
def world(ctx) -> World:
    load_reference_data()
    c = make_consultation()
    moderator = make_user(Role.MODERATOR)
    by_theme: dict[str, list[int]] = {}
    published: set[int] = set()
    for t, texts in labelled().items():
        for n, text in enumerate(texts):
            goal = "fa-1-goal-1" if n % 2 else "fa-2-goal-1"
            if t == THEMES[0] and n == 0:
                text = f"{text} Min mor har CPR {CPR}. {UNPUBLISHED}"
            org = n % 3 == 0
            response = make_response(
                c,
                {goal: text},
                type_code="patient-association" if org else "citizen",
                organisation="Danske Patienter" if org else "",
            )
            input_id = db.session.scalar(select(Input.id).where(Input.response_id == response.id))
            by_theme.setdefault(t, []).append(input_id)
            if not (t == THEMES[0] and n == 0):
                for contribution in db.session.scalars(
                    select(Contribution).where(Contribution.input_id == input_id)
                ):
                    moderation.publish(contribution, moderator)
                published.add(input_id)
    db.session.flush()
    return World(c, make_user(Role.SECRETARIAT), by_theme, published, by_theme[THEMES[0]][0])
