"""Benchmark: the secretariat's pages on a generated database.

Run: .venv/bin/python -m bench.workspace_pages --db URL [--runs 15]

The database comes from ``python -m bench.generate --inputs 100000 [--db URL]``. Signs in as
the demo secretariat user through a real login session and times the dashboard, a goal's
page, the input browser (plain, filtered, text search) and the charts, with the Flask test
client (no network). Prints the median and the worst of ``--runs`` requests per page, and
the number of SQL statements. Results go in docs/performance.md; no test asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from consult import create_app
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.config import TestConfig
from consult.demo import OPEN_DEMO
from consult.extensions import db
from consult.responses.models import Input

PAGES = [
    ("dashboard", "/analysis/"),
    ("goal page", "/analysis/goals/fa-2-goal-4"),
    ("ranking", "/analysis/ranking"),
    ("input browser", "/inputs/"),
    ("browser, filtered", "/inputs/?stance=oppose&type=1&sort=importance"),
    ("browser, page 40", "/inputs/?page=40"),
    ("browser, text search", "/inputs/?q=kommunerne"),
    ("chart: participation", "/analysis/charts/participation.svg"),
    ("chart: goal by type", "/analysis/goals/fa-2-goal-4/charts/type.svg"),
]


def _sign_in(app, client) -> None:
    import secrets

    from consult.accounts.models import LoginSession
    from consult.security import _hash

    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT).limit(1))
        token = secrets.token_urlsafe(32)
        db.session.add(LoginSession(user_id=user.id, token_hash=_hash(token)))
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as session:
        session["sid"] = token
        session["_user_id"] = str(user_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="a database made by bench.generate")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    config = {"SQLALCHEMY_DATABASE_URI": args.db, "SERVER_NAME": None}
    app = create_app(type("Bench", (TestConfig,), config))
    client = app.test_client()
    _sign_in(app, client)
    statements = 0

    def count(*_args):
        nonlocal statements
        statements += 1

    with app.app_context():
        inputs = db.session.scalar(select(func.count()).select_from(Input))
        event.listen(db.engine, "before_cursor_execute", count)
    print(f"{args.db} – {inputs:,} inputs, {args.runs} requests per page")
    print(f"{'page':<24} {'median':>9} {'worst':>9} {'SQL':>5}")
    base = f"/staff/consultations/{OPEN_DEMO}"
    for name, path in PAGES:
        client.get(base + path)  # warm the caches once, as a server that has run a while
        times = []
        for _ in range(args.runs):
            statements = 0
            start = time.perf_counter()
            response = client.get(base + path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        median, worst = statistics.median(times), max(times)
        print(f"{name:<24} {median:>7.0f} ms {worst:>6.0f} ms {statements:>5}")


if __name__ == "__main__":
    main()
