"""Benchmark: the secretariat's figures counted live against read from the stored cube.

Run: .venv/bin/python -m bench.dashboard --db URL [--runs 5] [--goal fa-2-goal-4]

The database comes from ``python -m bench.generate --inputs N [--db URL]`` (migrated to the
head, so it has ``figure_cubes``). Signs in as the demo secretariat user and, with the Flask
test client, times the dashboard, a goal's page and their charts twice in the same run: counted
at request time (the limit set to None) and read from the cube (the limit
set to 0), plus one rebuild of the cube (what the background job does). Prints the median and
the worst of ``--runs`` requests and the ratio. Results go in docs/performance.md ("The
secretariat's figures"); no test asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import func
from sqlalchemy import select

from bench.workspace_pages import _sign_in
from consult import create_app
from consult.analysis import cube
from consult.config import TestConfig
from consult.demo import OPEN_DEMO
from consult.drafts.services import get_consultation
from consult.extensions import db
from consult.responses.models import Input


def _time(client, path: str, runs: int) -> tuple[float, float]:
    client.get(path)  # warm the caches once, as a server that has run a while
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="a database made by bench.generate")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--goal", default="fa-2-goal-4")
    args = parser.parse_args()
    config = {"SQLALCHEMY_DATABASE_URI": args.db, "SERVER_NAME": None}
    app = create_app(type("Bench", (TestConfig,), config))
    client = app.test_client()
    _sign_in(app, client)
    with app.app_context():
        inputs = db.session.scalar(select(func.count()).select_from(Input))
        consultation_id = get_consultation(OPEN_DEMO).id
        start = time.perf_counter()
        stored = cube.rebuild(consultation_id)
        rebuild = time.perf_counter() - start
        rows = len(stored.rows["dashboard"]["responses"]) + len(stored.rows["goals"]["cube"])
    base = f"/staff/consultations/{OPEN_DEMO}/analysis"
    pages = [
        ("dashboard", f"{base}/"),
        ("goal page", f"{base}/goals/{args.goal}"),
        ("chart: participation", f"{base}/charts/participation.svg"),
        ("chart: goal by type", f"{base}/goals/{args.goal}/charts/type.svg"),
    ]
    print(f"{args.db} – {inputs:,} inputs, {args.runs} requests per page")
    print(f"cube rebuild (the job): {rebuild:.1f} s, {rows:,} grouped rows")
    print(f"{'page':<22} {'live median':>12} {'worst':>9} {'cube median':>12} {'worst':>9} ratio")
    for name, path in pages:
        app.config["FIGURES_LIVE_BELOW"] = None  # count live, as before the cube
        live = _time(client, path, args.runs)
        app.config["FIGURES_LIVE_BELOW"] = 0
        stored_times = _time(client, path, args.runs)
        print(
            f"{name:<22} {live[0]:>9.0f} ms {live[1]:>6.0f} ms "
            f"{stored_times[0]:>9.0f} ms {stored_times[1]:>6.0f} ms "
            f"{live[0] / stored_times[0]:>5.1f}x"
        )


if __name__ == "__main__":
    main()
