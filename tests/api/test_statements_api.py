"""The read API lists general comments and letters with the inputs (issue 13, 2): ``kind``
says which; the public reads a comment's published text only and a letter without its text."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import Role
from consult.api import services
from consult.extensions import db
from consult.responses.models import Input
from consult.responses.models import InputKind
from tests.analysis.test_statements import COMMENT
from tests.analysis.test_statements import LETTER
from tests.analysis.test_statements import desk  # noqa: F401  (a fixture)
from tests.api.test_api import get_json
from tests.exports.test_statements_export import _publish
from tests.factories import make_user


def _all(client, url: str, token: str | None = None, per_page: int = 2) -> list[dict]:
    """Every item, page by page with ``after=`` (keyset paging)."""
    items, after = [], None
    while True:
        query = f"?per_page={per_page}" + (f"&after={after}" if after else "")
        _response, data = get_json(client, url + query, token)
        items += data["items"]
        after = data["next_after"]
        if after is None:
            return items


def test_comments_and_letters_in_the_staff_and_the_public_list(app, desk):  # noqa: F811
    _client, c, _user = desk
    client = app.test_client()
    url = f"/api/v1/consultations/{c.slug}/inputs"
    assert [i for i in _all(client, url) if i["kind"] != "goal"] == []  # nothing published
    organisation = db.session.scalar(
        select(Input).where(Input.kind == InputKind.COMMENT, Input.text == COMMENT)
    ).response
    _publish(organisation)
    db.session.commit()
    public = _all(client, url)
    kinds = {i["kind"]: i for i in public}
    assert set(kinds) == {"goal", "comment", "letter"}
    assert kinds["comment"]["text"] == COMMENT and kinds["comment"]["goal_key"] is None
    assert kinds["comment"]["name"] == "Danske Patienter"
    assert kinds["letter"]["text"] is None and kinds["letter"]["name"] == "Danske Patienter"
    _response, data = get_json(client, url)
    assert data["total"] == len(public) == 3
    assert LETTER not in str(public) and "Tak for et læsevenligt udkast." not in str(public)
    # With a staff token: every comment and letter, the letter's text read out of it.
    _row, token = services.create_token(make_user(Role.SECRETARIAT), "statements")
    db.session.commit()
    staff = _all(client, url, token)
    ids = [i["id"] for i in staff]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    by_kind = {}
    for item in staff:
        by_kind.setdefault(item["kind"], []).append(item)
    assert len(by_kind["comment"]) == 2 and len(by_kind["letter"]) == 1
    assert LETTER in by_kind["letter"][0]["text"]
    assert by_kind["letter"][0]["reply_state"] == "new"
    _response, data = get_json(client, url, token)
    assert data["total"] == len(staff) == 5
