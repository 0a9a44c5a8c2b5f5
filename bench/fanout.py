"""Fan-out benchmark: 125 clients in one cohort channel, 10 messages per second.

Targets, interleaved round by round in one run: a bare python-socketio broadcast server,
our server (one process), and our server as two processes sharing rooms through a private
Redis. Reports delivery latency p50/p99, loss, throughput, and ratios to the bare server.

    .venv/bin/python bench/fanout.py [--seconds 60] [--rounds 3] [--clients 125] [--rate 10]
                                     [--database sqlite|postgres]

With --database postgres each of our servers gets a throwaway database on --database-url
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import socketio  # noqa: E402

from tests.conftest import free_port, start_live_server  # noqa: E402

CHANNEL_NAME = "DXの悩みごと"
WORKERS = 2  # client processes, so the measuring side is not the bottleneck


def _worker(urls, tokens, channel_id, n, bare, ready, stop, out):
    received = [{} for _ in range(n)]
    clients = []
    for i in range(n):
        client = socketio.Client(reconnection=False)

        def on_message(data, i=i):
            now = time.time()
            if bare:
                key, sent = data["k"], data["t"]
            else:
                _tag, key, sent = data["body"].split()[:3]
                key, sent = int(key), float(sent)
            received[i][key] = now - sent

        client.on("message", on_message)
        client.connect(urls[i % len(urls)],
                       auth=None if bare else {"token": tokens[i % len(tokens)]},
                       transports=["websocket"], wait_timeout=10)
        assert client.call("join", {"channel_id": channel_id}, timeout=10)["ok"]
        clients.append(client)
    ready.set()
    stop.wait()
    time.sleep(2.0)  # let in-flight deliveries land
    out.put(received)
    for client in clients:
        threading.Thread(target=client.disconnect, daemon=True).start()
    time.sleep(0.5)


def run_phase(name, urls, tokens, channel_id, clients, rate, seconds, bare):
    ctx = mp.get_context("fork")
    ready = [ctx.Event() for _ in range(WORKERS)]
    stop, out = ctx.Event(), ctx.Queue()
    share = [clients // WORKERS + (1 if i < clients % WORKERS else 0) for i in range(WORKERS)]
    procs = [ctx.Process(target=_worker, args=(urls, tokens, channel_id, share[i], bare,
                                              ready[i], stop, out)) for i in range(WORKERS)]
    for p in procs:
        p.start()
    for r in ready:
        r.wait(120)
    senders = []
    for i in range(25 if not bare else 1):
        s = socketio.Client(reconnection=False)
        s.connect(urls[i % len(urls)], auth=None if bare else {"token": tokens[i % len(tokens)]},
                  transports=["websocket"], wait_timeout=10)
        senders.append(s)
    time.sleep(0.5)
    sent, failed = [], [0]
    start = time.monotonic()
    total = int(seconds * rate)
    for k in range(total):
        target = start + k / rate
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = time.time()
        sender = senders[k % len(senders)]
        if bare:
            payload = {"k": k, "t": t, "body": f"bench {k} {t}"}
        else:
            payload = {"channel_id": channel_id, "body": f"bench {k} {t!r} 電子申請の相談",
                       "client_msg_id": f"{name}-{start}-{k}"}

        def acked(ack, k=k):
            if not (ack and ack.get("ok")):
                failed[0] += 1

        sender.emit("send", payload, callback=acked)
        sent.append(k)
    elapsed = time.monotonic() - start
    stop.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    for s in senders:
        threading.Thread(target=s.disconnect, daemon=True).start()
    latencies, missing, per_client = [], 0, []
    for worker in results:
        for got in worker:
            per_client.append(got)
            latencies.extend(got.values())
            missing += sum(1 for k in sent if k not in got)
    return {"sent": len(sent), "elapsed": elapsed, "latencies": latencies,
            "missing": missing, "deliveries": len(latencies), "failed_acks": failed[0]}


def merge(acc, r):
    if acc is None:
        return dict(r)
    for key in ("sent", "elapsed", "missing", "deliveries", "failed_acks"):
        acc[key] += r[key]
    acc["latencies"] += r["latencies"]
    return acc


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def channel_id_of(server, token):
    import json

    req = urllib.request.Request(server.url + "/api/v1/cohorts/tokyo-dx-2021/channels",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        return next(c["id"] for c in json.load(r) if c["name"] == CHANNEL_NAME)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60, help="sending time per target")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    ap.add_argument("--clients", type=int, default=125)
    ap.add_argument("--rate", type=float, default=10, help="messages per second")
    ap.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                    "postgres", help="PostgreSQL server for --database postgres")
    args = ap.parse_args()
    databases = []
    if args.database == "postgres":
        sys.path.insert(0, str(ROOT / "bench"))
        from benchlib import Database

        databases = [Database(args.database_url, prefix="lms_fanout") for _ in range(2)]

    work = Path(tempfile.mkdtemp(prefix="fanout-"))
    procs = []
    redis_port, bare_port = free_port(), free_port()
    procs.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "",
                                   "--appendonly", "no", "--bind", "127.0.0.1"],
                                  stdout=subprocess.DEVNULL))
    procs.append(subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_server.py"),
                                   str(bare_port)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL))
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    emails = [f"p{n:02d}@example.jp" for n in range(1, 51)]
    single = start_live_server(work / "single",
                               database_url=databases[0].url if databases else None)
    shared_db = databases[1].url if databases else f"sqlite:///{work / 'pair.sqlite3'}"
    env = {"REDIS_URL": redis_url, "SOCKETIO_CHANNEL": "bench"}
    pair_a = start_live_server(work / "a", database_url=shared_db, extra_env=env)
    pair_b = start_live_server(work / "b", database_url=shared_db, seed=False, extra_env=env)
    servers = [single, pair_a, pair_b]
    try:
        single_tokens = single.token(*emails)
        pair_tokens = pair_a.token(*emails)
        targets = [
            ("bare", [f"http://127.0.0.1:{bare_port}"], None, 0, True),
            ("ours-1proc", [single.url], single_tokens,
             channel_id_of(single, single_tokens[0]), False),
            ("ours-2proc-redis", [pair_a.url, pair_b.url], pair_tokens,
             channel_id_of(pair_a, pair_tokens[0]), False),
        ]
        totals: dict[str, dict | None] = {t[0]: None for t in targets}
        per_round = args.seconds / args.rounds
        for rnd in range(args.rounds):
            for name, urls, tokens, cid, bare in targets:
                r = run_phase(name, urls, tokens, cid, args.clients, args.rate, per_round, bare)
                totals[name] = merge(totals[name], r)
                print(f"round {rnd + 1} {name}: p50 {pct(r['latencies'], .5) * 1000:.1f} ms "
                      f"p99 {pct(r['latencies'], .99) * 1000:.1f} ms missing {r['missing']}",
                      flush=True)
        print(f"\n{args.clients} clients, {args.rate:g} msg/s, {args.seconds:g} s per target, "
              f"{args.rounds} interleaved rounds, {args.database}; load average "
              + " ".join(f"{x:.2f}" for x in __import__("os").getloadavg()))
        print(f"{'target':18} {'sent':>5} {'deliv/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'loss':>6} {'nack':>4}")
        stats = {}
        for name, r in totals.items():
            thr = r["deliveries"] / r["elapsed"]
            p50, p99 = pct(r["latencies"], .5) * 1000, pct(r["latencies"], .99) * 1000
            loss = r["missing"] / max(1, r["sent"] * args.clients)
            stats[name] = (thr, p99)
            print(f"{name:18} {r['sent']:5d} {thr:8.1f} {p50:7.1f} {p99:7.1f} "
                  f"{loss:6.2%} {r['failed_acks']:4d}")
            _ = statistics  # (kept for ad-hoc analysis)
        bare_thr, bare_p99 = stats["bare"]
        for name in ("ours-1proc", "ours-2proc-redis"):
            thr, p99 = stats[name]
            print(f"{name}: throughput {thr / bare_thr:.2f}× bare, p99 {p99 / bare_p99:.2f}× bare")
        one_thr, one_p99 = stats["ours-1proc"]
        two_thr, two_p99 = stats["ours-2proc-redis"]
        print(f"2 processes + Redis vs 1 process: throughput {two_thr / one_thr:.2f}×, "
              f"p99 {two_p99 / one_p99:.2f}×")
    finally:
        for server in servers:
            server.stop()
        for p in procs:
            p.terminate()
        for database in databases:
            database.drop()


if __name__ == "__main__":
    main()
