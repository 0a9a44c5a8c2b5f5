"""Before and after in one run: two checkouts' pages timed in-process, interleaved.

On a shared, loaded machine wrk's req/s swing by 2× between minutes; what a change does to a
page shows better as the time each request costs the app itself. This builds one PostgreSQL
database with the demo and the chat history, then alternates (A, B, A, B …) runs of
bench/profile_pages.py for a git ref (`before`) and for this working tree (`after`), and
prints per page the median SQL statements, wall ms and CPU ms per request and the ratio.

    python bench/compare_pages.py --before 1cb60dd [--after HEAD] [--rounds 3] [--requests 100]
                                  [--only team] [--use postgresql+psycopg://…/db] [--json out]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as bl  # noqa: E402


def checkout(ref: str, into: Path) -> Path:
    """The tree of `ref` (git archive), or this working tree for 'WORKTREE'."""
    if ref == "WORKTREE":
        return bl.ROOT
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(bl.ROOT), "archive", ref], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="git ref of the baseline")
    ap.add_argument("--after", default="WORKTREE", help="git ref (default: this working tree)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--only")
    ap.add_argument("--database-url", default=bl.DEFAULT_PG)
    ap.add_argument("--use", help="an already seeded database URL (skips building one)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()

    procs = bl.Procs()
    db = None
    tmp = Path(tempfile.mkdtemp(prefix="lms-compare-"))
    try:
        if args.use:
            url = args.use
        else:
            db = bl.Database(args.database_url, prefix="lms_compare")
            url = db.url
            bl.prepare_demo(bl.app_env(procs, url, None))
        trees = {"before": checkout(args.before, tmp / "before"),
                 "after": checkout(args.after, tmp / "after")}
        print(bl.load_line(), flush=True)
        runs: dict[str, list[list[dict]]] = {"before": [], "after": []}
        for round_ in range(args.rounds):
            for label, tree in trees.items():
                out = tmp / f"{label}-{round_}.json"
                cmd = [sys.executable, str(Path(__file__).with_name("profile_pages.py")),
                       "--use", url, "--src", str(tree), "--requests", str(args.requests),
                       "--json", str(out)]
                if args.only:
                    cmd += ["--only", args.only]
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=dict(os.environ))
                runs[label].append(json.loads(out.read_text()))
                print(f"round {round_ + 1} {label} done", flush=True)
        print(bl.load_line(), flush=True)
        report(args, runs)
    finally:
        procs.stop()
        if db:
            db.drop()


def report(args, runs) -> None:
    pages = [row["page"] for row in runs["before"][0]]

    def med(label: str, page: str, key: str) -> float:
        return statistics.median(next(r[key] for r in run if r["page"] == page)
                                 for run in runs[label])

    print(f"\nbefore = {args.before}, after = {args.after}; {args.rounds} interleaved rounds of "
          f"{args.requests} requests per page (Flask test client, PostgreSQL, medians)\n")
    print("| page | SQL before | SQL after | ms before | ms after | CPU ms before | "
          "CPU ms after | CPU after/before |")
    print("|---|---|---|---|---|---|---|---|")
    table = []
    for page in pages:
        row = {k: (med("before", page, k), med("after", page, k))
               for k in ("sql", "ms", "cpu_ms")}
        table.append({"page": page, **row})
        print(f"| {page} | {row['sql'][0]:.0f} | {row['sql'][1]:.0f} | {row['ms'][0]:.1f} | "
              f"{row['ms'][1]:.1f} | {row['cpu_ms'][0]:.1f} | {row['cpu_ms'][1]:.1f} | "
              f"{row['cpu_ms'][1] / row['cpu_ms'][0]:.2f}× |")
    if args.json:
        Path(args.json).write_text(json.dumps({"before": args.before, "after": args.after,
                                               "rounds": runs, "medians": table},
                                              ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
