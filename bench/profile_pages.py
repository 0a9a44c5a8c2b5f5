"""Where a page's time goes: in-process, on PostgreSQL with the demo, per page of bench/pages.py.

For each page: SQL statements per request, mean time per request, time in SQL (cursor
execute), and a pyinstrument (or cProfile) profile of N requests.

    python bench/profile_pages.py [--requests 200] [--only team] [--cprofile] [--sql]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as bl  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--only")
    ap.add_argument("--cprofile", action="store_true", help="cProfile instead of pyinstrument")
    ap.add_argument("--sql", action="store_true", help="print each page's SQL statements")
    ap.add_argument("--database-url", default=bl.DEFAULT_PG)
    ap.add_argument("--use", help="an already seeded database URL (skips building one)")
    ap.add_argument("--src", help="the checkout whose lms to profile (default: this one)")
    ap.add_argument("--json", help="also write the per-page figures to this file")
    ap.add_argument("--path", action="append", default=[], metavar="ROLE:PATH",
                    help="an extra page, e.g. participant:/account (repeatable)")
    args = ap.parse_args()

    procs = bl.Procs()
    db = None
    try:
        if args.use:
            url = args.use
        else:
            db = bl.Database(args.database_url, prefix="lms_profile")
            url = db.url
            bl.prepare_demo(bl.app_env(procs, url, None))
        env = bl.app_env(procs, url, None, LMS_ENV="production")
        os.environ.update(env)
        sys.path.insert(0, str(args.src or bl.ROOT))
        run(args)
    finally:
        procs.stop()
        if db:
            db.drop()


def run(args) -> None:
    from sqlalchemy import event

    from lms.app import create_app
    from lms.extensions import db

    app = create_app({"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    clients = {}
    for role, email in (("participant", "p01@example.jp"), ("trainer", "trainer1@example.jp"),
                        ("organizer", "organizer@example.jp")):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        import re

        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        resp = client.post("/login", data={"email": email, "password": bl.PASSWORD,
                                           "csrf_token": token})
        assert resp.status_code == 302, (email, resp.status_code)
        clients[role] = client
    part = clients["participant"]
    channels = part.get(f"/api/v1/cohorts/{bl.SLUG}/channels").get_json()
    team = next(c for c in channels if c["kind"] == "team")
    worries = next(c for c in channels if c["name"] == "DXの悩みごと")
    hw = part.get(f"/api/v1/cohorts/{bl.SLUG}/homework").get_json()[0]
    base = f"/c/{bl.SLUG}"
    targets = [
        ("dashboard (participant)", "participant", "/"),
        ("dashboard (trainer)", "trainer", "/"),
        ("dashboard (organizer)", "organizer", "/"),
        ("team room (participant)", "participant", f"{base}/channels/{team['id']}"),
        ("homework page (participant)", "participant", f"{base}/homework/{hw['id']}"),
        ("homework matrix (trainer)", "trainer", f"{base}/homework/matrix"),
        ("channel JSON history (participant)", "participant",
         f"/api/v1/channels/{worries['id']}/messages"),
    ]
    for spec in args.path:
        role, _, path = spec.partition(":")
        targets.append((f"{path} ({role})", role, path))
    if args.only:
        targets = [t for t in targets if args.only in t[0]]

    statements: list[str] = []
    sql_time = [0.0]

    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *a):
        conn.info["t0"] = time.perf_counter()
        statements.append(statement)

    def after(conn, cursor, statement, *a):
        sql_time[0] += time.perf_counter() - conn.info.pop("t0", time.perf_counter())

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    rows = []
    print(f"{'page':36} {'SQL/req':>7} {'ms/req':>7} {'CPU ms':>7} {'SQL ms':>7}")
    for name, role, path in targets:
        client = clients[role]
        for _ in range(10):
            assert client.get(path).status_code == 200, (name, path)
        statements.clear()
        sql_time[0] = 0.0
        n = args.requests
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            client.get(path)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{name:36} {len(statements) / n:7.1f} {elapsed / n * 1000:7.2f} "
              f"{cpu / n * 1000:7.2f} {sql_time[0] / n * 1000:7.2f}", flush=True)
        rows.append({"page": name, "sql": len(statements) / n, "ms": elapsed / n * 1000,
                     "cpu_ms": cpu / n * 1000, "sql_ms": sql_time[0] / n * 1000})
        if args.json:
            import json

            Path(args.json).write_text(json.dumps(rows, ensure_ascii=False))
        if args.sql:
            for s in statements[: len(statements) // n]:
                print("    " + " ".join(s.split())[:160])
        if args.cprofile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                client.get(path)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(40)
        elif args.only:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(n):
                client.get(path)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
