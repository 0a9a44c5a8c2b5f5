"""Channel archive export benchmark: time and peak memory for N messages (default 100,000).

Seeds the demo cohort plus N messages spread over its channels and team rooms (bulk
inserts), then, in a fresh process per run, downloads /api/v1/cohorts/tokyo-dx-2021/export/
channels.csv (streamed) and channels.xlsx, reading the response in chunks. Reports seconds,
bytes, rows and the process's peak RSS growth during the export (ru_maxrss), for N and N/10
so one can see whether memory grows with the archive.

    .venv/bin/python bench/export_channel_archive.py [--messages 100000] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed(url: str, messages: int) -> None:
    from sqlalchemy import insert, select

    from lms.app import create_app
    from lms.channels.models import Channel, Message
    from lms.cohorts.models import Membership
    from lms.db import utcnow
    from lms.demo import build_demo
    from lms.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.create_all()
        cohort = build_demo("bench-password").cohort
        db.session.commit()
        channels = db.session.scalars(select(Channel.id).where(
            Channel.cohort_id == cohort.id)).all()
        authors = db.session.scalars(select(Membership.user_id).where(
            Membership.cohort_id == cohort.id)).all()
        now = utcnow()
        body = ("電子申請の利用率を上げるため、窓口での案内方法を見直しました。"
                "来庁者アンケートでは「手続きがわかりやすくなった」が増えています。") * 2
        batch, seq = [], {c: 0 for c in channels}
        for i in range(messages):
            channel = channels[i % len(channels)]
            seq[channel] += 1
            batch.append({"channel_id": channel, "seq": seq[channel],
                          "author_id": authors[i % len(authors)], "body": f"{i}: {body}",
                          "body_html": f"<p>{i}: {body}</p>", "search_text": body,
                          "created_at": now})
            if len(batch) == 5000:
                db.session.execute(insert(Message), batch)
                batch = []
        if batch:
            db.session.execute(insert(Message), batch)
        db.session.commit()


def current_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure(url: str, fmt: str) -> dict:
    """Runs in a fresh process: one export download, timed, with peak RSS growth."""
    from lms.app import create_app
    from lms.auth.services import create_api_token, get_user_by_email
    from lms.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        token = create_api_token(get_user_by_email("organizer@example.jp"))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    client.get("/healthz")  # warm up imports and the connection pool
    base_rss = current_rss_kb()
    samples = [base_rss]
    done = threading.Event()

    def sample():  # RSS every 20 ms while the export runs (XLSX is built before sending)
        while not done.wait(0.02):
            samples.append(current_rss_kb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    response = client.get(f"/api/v1/cohorts/tokyo-dx-2021/export/channels.{fmt}",
                          headers={"Authorization": f"Bearer {token}"}, buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    response.close()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    peak = max(samples + [current_rss_kb()])
    return {"format": fmt, "status": response.status_code, "seconds": round(elapsed, 2),
            "bytes": size, "csv_rows": lines - 1 if fmt == "csv" else None,
            "rss_before_mb": round(base_rss / 1024, 1), "rss_peak_mb": round(peak / 1024, 1),
            "rss_growth_mb": round((peak - base_rss) / 1024, 1),
            "process_max_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--database", help="SQLAlchemy URL of an EMPTY database "
                        "(default: a temporary SQLite file)")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    results = []
    for count in (args.messages // 10, args.messages):
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database or f"sqlite:///{tmp}/bench.sqlite3"
            started = time.perf_counter()
            seed(url, count)
            seeded = time.perf_counter() - started
            for fmt in ("csv", "xlsx"):
                out = subprocess.run([sys.executable, __file__, "--measure", url, fmt],
                                     capture_output=True, text=True, check=True,
                                     env={**os.environ, "LMS_ENV": "development"})
                result = json.loads(out.stdout.strip().splitlines()[-1])
                result.update(messages=count, seed_seconds=round(seeded, 1))
                results.append(result)
                print(json.dumps(result, ensure_ascii=False), flush=True)
            if args.database:
                break  # a given database is seeded once
    print("\nmessages  format  seconds  MB out  RSS growth MB  peak RSS MB")
    for r in results:
        print(f"{r['messages']:>8}  {r['format']:>6}  {r['seconds']:>7}  "
              f"{r['bytes'] / 1e6:>6.1f}  {r['rss_growth_mb']:>13}  {r['rss_peak_mb']:>11}")


if __name__ == "__main__":
    main()
