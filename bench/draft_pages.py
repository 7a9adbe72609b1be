"""Benchmark: reading a large draft. Run: .venv/bin/python -m bench.draft_pages [--db URL].

Builds a consultation with many focus areas and goals in a scratch database, then times the
public overview, a goal page and the print view, and counts their SQL statements.
Results go in docs/performance.md; no test asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db


def build(focus_areas: int, goals: int):
    from tests.factories import make_consultation

    consultation = make_consultation(focus_areas=focus_areas, goals_per_area=goals)
    db.session.commit()
    return consultation.slug


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--focus-areas", type=int, default=20)
    parser.add_argument("--goals", type=int, default=25)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        slug = build(args.focus_areas, args.goals)
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = app.test_client()
    items = args.focus_areas * (args.goals + 2) + 2
    print(
        f"draft: {args.focus_areas} focus areas x {args.goals} goals (+ initiative) = {items} "
        f"items; {url.split(':')[0]}"
    )
    for label, path in (
        ("overview", f"/consultations/{slug}/"),
        ("goal page", f"/consultations/{slug}/items/fa-1-goal-1"),
        ("print view", f"/consultations/{slug}/print"),
    ):
        timings = []
        for _ in range(args.runs):
            statements.clear()
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        print(
            f"{label:<11} median {statistics.median(timings):7.1f} ms  p95 "
            f"{sorted(timings)[int(len(timings) * 0.95) - 1]:7.1f} ms  {len(statements)} queries"
        )
    with app.app_context():
        db.drop_all()


if __name__ == "__main__":
    main()
