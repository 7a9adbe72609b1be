"""``flask consult create-user``."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.accounts.passwords import verify_password
from consult.extensions import db
from tests.factories import make_user

GOOD = "a strong password"


def create_user(app, *args):
    return app.test_cli_runner().invoke(args=["consult", "create-user", *args])


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_creates_a_confirmed_user_with_a_role(app, ctx):
    result = create_user(
        app, "Chef@Region.dk", "--role", "secretariat", "--name", "<b>Chef</b>", "--password", GOOD
    )
    assert result.exit_code == 0, result.output
    assert "Created secretariat chef@region.dk" in result.output
    user = db.session.scalar(select(User).where(User.email == "chef@region.dk"))
    assert user.role is Role.SECRETARIAT and user.is_confirmed and user.name == "Chef"
    assert verify_password(user.password_hash, GOOD)


def test_asks_for_the_password_twice_when_not_given(app, ctx):
    result = app.test_cli_runner().invoke(
        args=["consult", "create-user", "ask@region.dk"], input=f"{GOOD}\n{GOOD}\n"
    )
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output  # the prompt hides it


def test_refuses_a_duplicate_whatever_its_case(app, ctx):
    make_user(email="chef@region.dk")
    before = users()
    result = create_user(app, "CHEF@region.dk", "--password", GOOD)
    assert result.exit_code != 0 and "already has an account" in result.output
    assert users() == before


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["x@region.dk", "--role", "king", "--password", GOOD], 2, "Invalid value for '--role'"),
        (["y@region.dk", "--password", "short"], 1, "at least 10"),
        (["not-an-email", "--password", GOOD], 1, "Error"),
    ],
    ids=["bad role", "short password", "bad address"],
)
def test_refuses_bad_input(app, ctx, args, code, says):
    before = users()
    result = create_user(app, *args)
    assert result.exit_code == code and says in result.output
    assert users() == before
