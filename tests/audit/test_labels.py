"""The audit log speaks in words: every action the code records has a label in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from consult.audit import labels

ROOT = Path(__file__).parents[2]
#: audit.record(actor, "area.action", …) and record(None, "area.action", …) in the code.
RECORDED = re.compile(r"\brecord\(\s*[^,()]+,\s*\"([a-z_]+\.[a-z_]+)\"", re.S)


def test_every_recorded_action_has_words():
    used = set()
    for path in (ROOT / "consult").rglob("*.py"):
        used |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    assert used, "the pattern finds the calls"
    missing = sorted(used - labels.ACTIONS.keys())
    assert not missing, f"give these audit actions a label in consult/audit/labels.py: {missing}"


def test_the_log_page_shows_words_not_codes(client):
    from consult.accounts.models import Role
    from consult.audit import services as audit
    from consult.extensions import db
    from tests.factories import make_consultation
    from tests.factories import make_user
    from tests.factories import sign_in

    c = make_consultation()
    moderator = make_user(Role.MODERATOR)
    audit.record(moderator, "analysis.reply", "reply", 5, consultation_id=c.id)
    audit.record(moderator, "sessions.confirm", "meeting", 7, consultation_id=c.id)
    db.session.flush()
    sign_in(client, moderator)
    html = client.get("/moderation/audit?lang=da").get_data(as_text=True)
    assert "analysis.reply:" not in html and "reply 5" not in html
    assert "svar 5" in html and "møde 7" in html
