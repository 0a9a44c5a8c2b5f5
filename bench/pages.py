"""Page-speed benchmark: our pages against a bare Flask "hello" on the same gunicorn.

Builds a throwaway PostgreSQL database (`db upgrade`, `lms demo`, a chat history), serves it as
the README's production section does (gunicorn gthread, one worker, 100 threads, LMS_ENV=
production, a private Redis when redis-server exists) beside bench/hello_app.py under the same
settings, logs in as p01, trainer1 and the organizer, and measures each page with wrk
interleaved with hello (A, B, A, B …): req/s as the median ratio of the pairs, p50/p99.
Only loopback traffic; the run takes about targets × pairs × 2 × seconds.

    python bench/pages.py [--seconds 5] [--pairs 3] [--connections 16] [--only dashboard]
                          [--path trainer:/c/tokyo-dx-2021/teams] [--json out.json]
                          [--before COMMIT]

--before COMMIT measures before and after in one run: COMMIT is checked out in a temporary
`git worktree` (removed at the end; this checkout's static/vendor is linked in) and served by a
second gunicorn with the same settings, on the same database and Redis (seeded once by this
checkout, so the schema must be the same). Every round measures hello, before, after for each
page; the table gives both sides against hello and the speed-up (after req/s over before req/s,
median of the rounds). A round in which a server answered nothing (a stalled process) is counted
in the "silent rounds" column and left out of that side's medians. The run then takes about
targets × pairs × 3 × seconds.

wrk comes from your package manager (`apt-get install -y wrk`, `brew install wrk`); without it
the script says so and falls back to a bounded Python load generator (lower ceiling, so ratios
are less telling), or stops with --require-wrk.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as bl  # noqa: E402

ROLES = {"participant": "p01@example.jp", "trainer": "trainer1@example.jp",
         "organizer": "organizer@example.jp"}


@dataclass
class Target:
    name: str
    role: str
    path: str
    runs: list[dict] = field(default_factory=list)
    hello: list[dict] = field(default_factory=list)
    before: list[dict] = field(default_factory=list)  # --before: the same page, other commit


# --- Load generators --------------------------------------------------------------------------

_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNIT[unit]


def run_wrk(url: str, cookie: str, seconds: float, connections: int) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
            "--latency", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True,
                            timeout=seconds + 30).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if rps is None or set(lat) != {"50", "99"}:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    rps = float(rps.group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    if sock:
        errors += int(sock.group(1)) + int(sock.group(4))
    return {"rps": rps, "p50": _ms(lat["50"]), "p99": _ms(lat["99"]), "errors": errors}


def _py_worker(port, path, cookie, seconds, conns, out):
    latencies, errors = [], [0]
    stop_at = time.monotonic() + seconds

    def loop():
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    errors[0] += 1
                latencies.append((time.perf_counter() - t0) * 1000)
            except OSError:
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.close()

    threads = [threading.Thread(target=loop) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, errors[0]))


def run_python(port: int, path: str, cookie: str, seconds: float, connections: int) -> dict:
    """Two processes of threads with keep-alive connections; stops after `seconds`."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    shares = [connections // 2 + connections % 2, connections // 2]
    procs = [ctx.Process(target=_py_worker, args=(port, path, cookie, seconds, n, out))
             for n in shares if n]
    for p in procs:
        p.start()
    latencies, errors = [], 0
    for _ in procs:
        lat, err = out.get(timeout=seconds + 60)
        latencies += lat
        errors += err
    for p in procs:
        p.join(10)
    return {"rps": len(latencies) / seconds, "p50": bl.pct(latencies, .5),
            "p99": bl.pct(latencies, .99), "errors": errors}


# --- The run ----------------------------------------------------------------------------------

def discover_targets(port: int, cookies: dict[str, str]) -> list[Target]:
    part = cookies["participant"]
    channels = bl.get_json(port, f"/api/v1/cohorts/{bl.SLUG}/channels", part)
    team_room = next(c for c in channels if c["kind"] == "team")
    worries = next(c for c in channels if c["name"] == "DXの悩みごと")
    homework = bl.get_json(port, f"/api/v1/cohorts/{bl.SLUG}/homework", part)
    hw = homework[0]  # session 1: p01 has submitted, so the page shows a history
    base = f"/c/{bl.SLUG}"
    # The session-1 retro link leads to the participant's team board.
    status, headers, _ = bl.request(port, "GET", f"{base}/sessions/1/retro", cookie=part)
    if status != 302:
        bl.fail(f"the retro link answered {status}, not a redirect to the team's board")
    retro_board = "/" + headers["location"][0].split("://", 1)[-1].split("/", 1)[-1]
    return [
        Target("dashboard (participant)", "participant", "/"),
        Target("dashboard (trainer)", "trainer", "/"),
        Target("dashboard (organizer)", "organizer", "/"),
        Target("team room (participant)", "participant",
               f"{base}/channels/{team_room['id']}"),
        Target("homework page (participant)", "participant", f"{base}/homework/{hw['id']}"),
        Target("homework matrix (trainer)", "trainer", f"{base}/homework/matrix"),
        Target("channel JSON history (participant)", "participant",
               f"/api/v1/channels/{worries['id']}/messages"),
        Target("retro board (participant)", "participant", retro_board),
        Target("proposals (participant)", "participant", f"{base}/proposals"),
        Target("organizer figures (organizer)", "organizer", f"{base}/dashboard"),
    ]


def check(port: int, target: Target, cookie: str, side: str = "", log: Path | None = None) -> int:
    status, headers, body = bl.request(port, "GET", target.path, cookie=cookie)
    if status != 200 or b'type="password"' in body:
        tail = ""
        if status >= 500 and log and log.exists():
            tail = f"\n--- {log.name} (end) ---\n{log.read_text()[-3000:]}"
        bl.fail(f"{side}{target.name}: GET {target.path} answered {status} "
                f"{headers.get('location', [''])[0]} (not logged in?){tail}")
    return len(body)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5, help="per measurement (default 5)")
    ap.add_argument("--pairs", type=int, default=3, help="hello/page pairs per target (≥3)")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=100, help="gunicorn --threads (README: 100)")
    ap.add_argument("--database-url", default=bl.DEFAULT_PG,
                    help="PostgreSQL server (any database) where we may CREATE DATABASE")
    ap.add_argument("--only", help="measure only targets whose name contains this")
    ap.add_argument("--path", action="append", default=[], metavar="ROLE:PATH",
                    help="an extra page, e.g. organizer:/c/tokyo-dx-2021/teams (repeatable)")
    ap.add_argument("--require-wrk", action="store_true", help="fail instead of falling back")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    ap.add_argument("--before", metavar="COMMIT",
                    help="also serve this commit of the repo (temporary git worktree, same "
                         "database and Redis) and measure before and after side by side")
    args = ap.parse_args()
    if args.pairs < 3:
        ap.error("--pairs must be at least 3 (median of at least three pairs)")
    if shutil.which("wrk"):
        load_tool = "wrk"
    elif args.require_wrk:
        bl.fail("wrk not found: install it with `apt-get install -y wrk` (Debian/Ubuntu) "
                "or `brew install wrk` (macOS)")
    else:
        load_tool = "python"
        print("wrk not found (apt-get install -y wrk / brew install wrk): using the Python "
              "load generator, whose own ceiling is lower, so ratios are less telling.",
              file=sys.stderr)

    head = bl.short_hash("HEAD")
    dirty = bl.dirty_files()
    if args.before:
        bl.short_hash(args.before)  # a bad commit-ish stops here, before anything is built
    # `kill` (SIGTERM) cleans up like Ctrl-C: servers stopped, worktree and database removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print(f"before: {bl.load_line()}; machine busy {bl.busy_fraction():.0%} while idle here",
          flush=True)
    procs = bl.Procs()
    tree = None
    db = bl.Database(args.database_url)
    try:
        redis_url = bl.start_redis(procs)
        env = bl.app_env(procs, db.url, redis_url, LMS_ENV="production")
        t0 = time.monotonic()
        bl.prepare_demo(env)
        print(f"database {db.name}: migrated, demo and chat seeded in "
              f"{time.monotonic() - t0:.0f} s; Redis: {redis_url or 'none (no redis-server)'}",
              flush=True)
        app_port, hello_port = bl.free_port(), bl.free_port()
        app_proc = procs.start(bl.gunicorn_args("wsgi:app", app_port, args.threads), env=env,
                               log="app.log")
        hello_env = dict(env, PYTHONPATH=str(bl.ROOT / "bench"))
        hello_proc = procs.start(bl.gunicorn_args("hello_app:app", hello_port, args.threads),
                                 env=hello_env, cwd=bl.ROOT / "bench", log="hello.log")
        if args.before:
            tree = bl.Worktree(args.before)
            before_port = bl.free_port()
            # cwd and PYTHONPATH are the worktree's, so `wsgi:app` imports its lms package.
            before_env = dict(env, PYTHONPATH=str(tree.path))
            origin = bl.imported_from(before_env, tree.path)
            if not origin.is_relative_to(tree.path.resolve()):
                bl.fail(f"the before-app would import lms from {origin}, not from {tree.path}")
            after_origin = bl.imported_from(env, bl.ROOT)
            if not after_origin.is_relative_to(bl.ROOT):
                bl.fail(f"the app would import lms from {after_origin}, not from {bl.ROOT}")
            print(f"before: {args.before} = {tree.short} in worktree {tree.path} "
                  f"(lms from {origin.parent}); after: HEAD {head}"
                  f"{' + uncommitted changes' if dirty else ''} (lms from {after_origin.parent})",
                  flush=True)
            if subprocess.run(["git", "-C", str(bl.ROOT), "diff", "--quiet", tree.commit, "--",
                               "migrations"]).returncode != 0:
                print("warning: migrations/ differs between the before commit and this "
                      "checkout; the before-app runs on this checkout's schema.",
                      file=sys.stderr, flush=True)
            before_proc = procs.start(bl.gunicorn_args("wsgi:app", before_port, args.threads),
                                      env=before_env, cwd=tree.path, log="before.log")
        bl.wait_http(app_port, "/healthz", app_proc, procs.workdir / "app.log")
        bl.wait_http(hello_port, "/", hello_proc, procs.workdir / "hello.log")
        cookies = {role: bl.login(app_port, email) for role, email in ROLES.items()}
        targets = discover_targets(app_port, cookies)
        if tree:
            bl.wait_http(before_port, "/healthz", before_proc, procs.workdir / "before.log")
            before_cookies = {role: bl.login(before_port, email)
                              for role, email in ROLES.items()}
            before_paths = [t.path for t in discover_targets(before_port, before_cookies)]
            if before_paths != [t.path for t in targets]:
                bl.fail(f"the before-app finds other pages: {before_paths}")
        for spec in args.path:
            role, _, path = spec.partition(":")
            if role not in ROLES or not path.startswith("/"):
                ap.error(f"--path {spec}: expected ROLE:/path with ROLE in {list(ROLES)}")
            targets.append(Target(f"{path} ({role})", role, path))
        if args.only:
            targets = [t for t in targets if args.only in t.name]
        app_log, before_log = procs.workdir / "app.log", procs.workdir / "before.log"
        sizes = {t.name: check(app_port, t, cookies[t.role], log=app_log) for t in targets}
        if tree:
            before_sizes = {
                t.name: check(before_port, t, before_cookies[t.role], "before: ", before_log)
                for t in targets}

        def measure(port, path, cookie):
            if load_tool == "wrk":
                return run_wrk(f"http://127.0.0.1:{port}{path}", cookie, args.seconds,
                               args.connections)
            return run_python(port, path, cookie, args.seconds, args.connections)

        # Warm up: templates compile, pools fill, caches load.
        measure(hello_port, "/", "")
        for t in targets:
            for _ in range(20):
                bl.request(app_port, "GET", t.path, cookie=cookies[t.role])
                if tree:
                    bl.request(before_port, "GET", t.path, cookie=before_cookies[t.role])
        loads = []
        for rnd in range(args.pairs):
            for t in targets:
                # Always in this order: hello, (before,) after.
                t.hello.append(measure(hello_port, "/", ""))
                if tree:
                    t.before.append(measure(before_port, t.path, before_cookies[t.role]))
                t.runs.append(measure(app_port, t.path, cookies[t.role]))
                hello_rps = t.hello[-1]["rps"]
                if tree:
                    b, a = t.before[-1], t.runs[-1]
                    print(f"round {rnd + 1} {t.name}: hello {hello_rps:.0f} req/s; before "
                          f"{b['rps']:.0f} ({b['rps'] / hello_rps:.3f}×) p99 {b['p99']:.0f} ms; "
                          f"after {a['rps']:.0f} ({a['rps'] / hello_rps:.3f}×) p99 "
                          f"{a['p99']:.0f} ms; after/before "
                          + (f"{a['rps'] / b['rps']:.3f}" if b["rps"] else "— (before silent)"),
                          flush=True)
                else:
                    print(f"pair {rnd + 1} {t.name}: {t.runs[-1]['rps']:.0f} req/s vs hello "
                          f"{hello_rps:.0f} ({t.runs[-1]['rps'] / hello_rps:.3f}×)"
                          f" p99 {t.runs[-1]['p99']:.0f} ms", flush=True)
            loads.append(os.getloadavg()[0])
        for t in targets:
            # Still logged in: nothing measured a redirect.
            check(app_port, t, cookies[t.role], log=app_log)
            if tree:
                check(before_port, t, before_cookies[t.role], "before: ", before_log)
        if tree:
            report_before_after(args, load_tool, targets, sizes, before_sizes, loads,
                                tree, head, dirty)
        else:
            report(args, load_tool, targets, sizes, loads)
    finally:
        procs.stop()  # the servers first: one of them runs inside the worktree
        if tree:
            tree.remove()
        if args.keep:
            print(f"kept database {db.url}")
        else:
            db.drop()


def report(args, load_tool: str, targets: list[Target], sizes: dict, loads: list[float]):
    hello_all = [h["rps"] for t in targets for h in t.hello]
    print(f"\n{args.connections} connections, {args.seconds:g} s per measurement, "
          f"{args.pairs} interleaved pairs per page ({load_tool}); gunicorn gthread -w 1 "
          f"--threads {args.threads}; PostgreSQL; hello median {statistics.median(hello_all):.0f}"
          f" req/s (min {min(hello_all):.0f}, max {max(hello_all):.0f})")
    print(f"after: {bl.load_line()}; 1-min load after each round: "
          + ", ".join(f"{x:.2f}" for x in loads))
    head = (f"| {'page':36} | {'req/s':>6} | {'× hello':>7} | {'p50 ms':>6} | {'p99 ms':>6} "
            f"| {'KB':>4} | {'err':>3} |")
    print("\n" + head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    rows = []
    for t in targets:
        ratios = [r["rps"] / h["rps"] for r, h in zip(t.runs, t.hello, strict=True)]
        row = {"page": t.name, "path": t.path,
               "rps": statistics.median(r["rps"] for r in t.runs),
               "ratio": statistics.median(ratios), "ratios": ratios,
               "p50": statistics.median(r["p50"] for r in t.runs),
               "p99": statistics.median(r["p99"] for r in t.runs),
               "errors": sum(r["errors"] for r in t.runs), "bytes": sizes[t.name]}
        rows.append(row)
        print(f"| {t.name:36} | {row['rps']:6.0f} | {row['ratio']:6.3f}× | {row['p50']:6.1f} "
              f"| {row['p99']:6.1f} | {row['bytes'] / 1024:4.0f} | {row['errors']:3d} |")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "connections": args.connections, "seconds": args.seconds, "pairs": args.pairs,
            "tool": load_tool, "hello_rps": hello_all, "loads": loads, "rows": rows},
            ensure_ascii=False, indent=1))
    if any(r["errors"] for r in rows):
        print("\nSome requests failed (non-2xx/3xx or socket errors): see the err column.")
        sys.exit(1)


def _side(runs: list[dict], hello: list[dict], size: int) -> dict:
    """Medians over the rounds in which the server answered; a round in which it answered
    nothing (a stalled process) is counted apart, as `silent`, not as a speed of 0."""
    ratios = [r["rps"] / h["rps"] for r, h in zip(runs, hello, strict=True)]
    heard = [(r, q) for r, q in zip(runs, ratios, strict=True) if r["rps"] > 0]
    if not heard:
        return {"rps": 0.0, "ratio": 0.0, "ratios": ratios, "p50": 0.0, "p99": 0.0,
                "errors": sum(r["errors"] for r in runs), "bytes": size, "silent": len(runs)}
    return {"rps": statistics.median(r["rps"] for r, _ in heard),
            "ratio": statistics.median(q for _, q in heard), "ratios": ratios,
            "p50": statistics.median(r["p50"] for r, _ in heard),
            "p99": statistics.median(r["p99"] for r, _ in heard),
            "errors": sum(r["errors"] for r in runs), "bytes": size,
            "silent": len(runs) - len(heard)}


def report_before_after(args, load_tool: str, targets: list[Target], sizes: dict,
                        before_sizes: dict, loads: list[float], tree, head: str,
                        dirty: list[str]):
    hello_all = [h["rps"] for t in targets for h in t.hello]
    after = f"HEAD {head}" + (f" + uncommitted changes ({len(dirty)} changed)" if dirty else "")
    print(f"\nbefore {tree.short} ({args.before}) vs after {after}: {args.connections} "
          f"connections, {args.seconds:g} s per measurement, {args.pairs} rounds of hello, "
          f"before, after per page ({load_tool}); gunicorn gthread -w 1 --threads "
          f"{args.threads}; PostgreSQL; hello median {statistics.median(hello_all):.0f} req/s "
          f"(min {min(hello_all):.0f}, max {max(hello_all):.0f})")
    print(f"after: {bl.load_line()}; 1-min load after each round: "
          + ", ".join(f"{x:.2f}" for x in loads))
    cols = ["before req/s", "before × hello", "before p50 ms", "before p99 ms", "after req/s",
            "after × hello", "after p50 ms", "after p99 ms", "speed-up", "silent rounds", "err"]
    head_line = f"| {'page':36} | " + " | ".join(cols) + " |"
    print("\n" + head_line)
    print("|" + "|".join("-" * (len(c)) for c in head_line.split("|")[1:-1]) + "|")
    rows = []
    for t in targets:
        b = _side(t.before, t.hello, before_sizes[t.name])
        a = _side(t.runs, t.hello, sizes[t.name])
        # Speed-up per round in which both answered (a silent round has no speed to compare).
        speedups = [r["rps"] / p["rps"] for r, p in zip(t.runs, t.before, strict=True)
                    if r["rps"] > 0 and p["rps"] > 0]
        row = {"page": t.name, "path": t.path, "before": b, "after": a,
               "speedup": statistics.median(speedups) if speedups else None,
               "speedups": speedups}
        rows.append(row)
        cells = [f"{b['rps']:.0f}", f"{b['ratio']:.3f}×", f"{b['p50']:.1f}", f"{b['p99']:.1f}",
                 f"{a['rps']:.0f}", f"{a['ratio']:.3f}×", f"{a['p50']:.1f}", f"{a['p99']:.1f}",
                 f"{row['speedup']:.1f}×" if speedups else "—",
                 f"{b['silent']} / {a['silent']}", f"{b['errors'] + a['errors']}"]
        print(f"| {t.name:36} | "
              + " | ".join(c.rjust(len(w)) for c, w in zip(cells, cols, strict=True)) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "connections": args.connections, "seconds": args.seconds, "pairs": args.pairs,
            "tool": load_tool, "hello_rps": hello_all, "loads": loads,
            "before_ref": args.before, "before_commit": tree.commit, "before_short": tree.short,
            "after_commit": bl.git("rev-parse", "HEAD"), "after_short": head,
            "after_dirty_files": dirty, "rows": rows}, ensure_ascii=False, indent=1))
    if any(r["before"]["errors"] or r["after"]["errors"] for r in rows):
        print("\nSome requests failed (non-2xx/3xx or socket errors): see the err column.")
        sys.exit(1)


if __name__ == "__main__":
    main()
