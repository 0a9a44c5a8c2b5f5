"""A workshop session under load: 125 participants and 2 trainers on two app processes.

PostgreSQL + a private Redis, two gunicorn processes as the README deploys them (gthread, one
worker each, LMS_ENV=production; people stick to one process as behind ip_hash). Everyone is
logged in (a cookie for pages, a token for the socket) and has their team room open; the five
team rooms chat at a realistic rate, participants hand in homework with a file, open their
dashboard and team room page, trainers watch the matrix and their dashboard.

Prints p50/p99 per action, errors (must be 0), messages lost (must be 0: every message acked to
its sender reaches every member of the room who is connected), and each process's memory and
threads (peak). Only loopback traffic; ends after --seconds.

    python bench/session_load.py [--seconds 60] [--threads 100] [--chat 12]
    python bench/session_load.py --seconds 300          # the issue's five minutes
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as bl  # noqa: E402

PARTICIPANTS, TRAINERS = 125, 2
PDF = b"%PDF-1.4\n" + b"% bench attachment\n" * 6000 + b"%%EOF\n"  # ~110 KB


# --- Sockets: one child process holds every connection -----------------------------------

def socket_side(people, seconds, chat_per_min, ready, out):
    import socketio

    sent: dict[str, tuple[int, float, str]] = {}  # client_msg_id -> (channel, t, sender)
    acks: list[float] = []
    ack_errors = [0]
    received: dict[str, dict[str, float]] = defaultdict(dict)  # person -> {msg: t}
    lock = threading.Lock()
    clients = {}
    connect_errors = [0]

    def connect(person):
        client = socketio.Client(reconnection=False)

        def on_message(data, email=person["email"]):
            body = data.get("body", "")
            if body.startswith("load "):
                with lock:
                    received[email][body.split()[1]] = time.time()

        client.on("message", on_message)
        try:
            client.connect(person["url"], auth={"token": person["token"]},
                           transports=["websocket"], wait_timeout=20)
            ack = client.call("join", {"channel_id": person["room"]}, timeout=20)
            if not ack.get("ok"):
                raise RuntimeError(ack)
        except Exception:  # noqa: BLE001
            connect_errors[0] += 1
            return
        clients[person["email"]] = client

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(connect, people))
    ready.set()
    rooms = defaultdict(list)
    for p in people:
        if p["email"] in clients and p["role"] == "participant":
            rooms[p["room"]].append(p)
    start = time.monotonic()
    interval = 60.0 / chat_per_min
    next_at = {room: start + random.random() * interval for room in rooms}
    rng = random.Random(7)
    while time.monotonic() - start < seconds:
        room = min(next_at, key=next_at.get)
        delay = next_at[room] - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        next_at[room] += rng.expovariate(1 / interval)
        person = rng.choice(rooms[room])
        key = uuid.uuid4().hex
        t0 = time.time()
        with lock:
            sent[key] = (room, t0, person["email"])

        def acked(ack, t0=t0, key=key):
            if ack and ack.get("ok"):
                acks.append(time.time() - t0)
            else:
                ack_errors[0] += 1
                with lock:
                    sent.pop(key, None)

        clients[person["email"]].emit("send", {
            "channel_id": room, "client_msg_id": key, "parent_id": None,
            "body": f"load {key} 窓口業務のデジタル化について、次回までに資料を共有します。"},
            callback=acked)
    time.sleep(5)  # deliveries in flight
    members = defaultdict(list)
    for p in people:
        if p["email"] in clients:
            members[p["room"]].append(p["email"])
    deliveries, lost = [], 0
    for key, (room, t0, _sender) in sent.items():
        for email in members[room]:
            got = received[email].get(key)
            if got is None:
                lost += 1
            else:
                deliveries.append(got - t0)
    for client in clients.values():
        threading.Thread(target=client.disconnect, daemon=True).start()
    out.put({"acks": acks, "ack_errors": ack_errors[0], "deliveries": deliveries,
             "lost": lost, "sent": len(sent), "connect_errors": connect_errors[0],
             "connected": len(clients)})
    time.sleep(1)


# --- Pages and submissions, from this process ---------------------------------------------

class Recorder:
    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def run(self, action, port, method, path, cookie="", body=None, headers=None,
            ok=(200,)):
        t0 = time.perf_counter()
        try:
            status, _, _ = bl.request(port, method, path, cookie=cookie, body=body,
                                      headers=headers, timeout=60)
        except OSError:
            status = 0
        with self.lock:
            self.times[action].append((time.perf_counter() - t0) * 1000)
            if status not in ok:
                self.errors[action] += 1


def multipart(fields: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                     f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def http_side(people, seconds, rec: Recorder, homework_id: int, rates: dict):
    """Each person acts on their own schedule (Poisson): dashboard, team room page,
    a submission with a file; trainers the matrix and their dashboard."""
    stop_at = time.monotonic() + seconds
    base = f"/c/{bl.SLUG}"

    def person_loop(p, rng):
        actions = ([("dashboard", rates["dashboard"]), ("team room page", rates["room"]),
                    ("submit homework (110 KB PDF)", rates["submit"])]
                   if p["role"] == "participant" else
                   [("matrix (trainer)", rates["matrix"]),
                    ("dashboard (trainer)", rates["dashboard"])])
        total = sum(r for _, r in actions)
        while True:
            wait = rng.expovariate(total / 60.0)
            if time.monotonic() + wait >= stop_at:
                return
            time.sleep(wait)
            action = rng.choices([a for a, _ in actions], [r for _, r in actions])[0]
            port = p["port"]
            if action.startswith("dashboard"):
                rec.run(action, port, "GET", "/", cookie=p["cookie"])
            elif action == "team room page":
                rec.run(action, port, "GET", f"{base}/channels/{p['room']}", cookie=p["cookie"])
            elif action.startswith("matrix"):
                rec.run(action, port, "GET", f"{base}/homework/matrix", cookie=p["cookie"])
            else:
                body, ctype = multipart(
                    {"body": "## ヒアリング結果\n\n窓口の待ち時間を計測しました。",
                     "client_submission_id": uuid.uuid4().hex},
                    [("hearing.pdf", PDF)])
                rec.run(action, port, "POST", f"/api/v1/homework/{homework_id}/submissions",
                        body=body, ok=(200, 201),
                        headers={"Content-Type": ctype,
                                 "Authorization": f"Bearer {p['token']}"})

    threads = [threading.Thread(target=person_loop, args=(p, random.Random(i)))
               for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --- Server processes ---------------------------------------------------------------------

def worker_pid(master_pid: int) -> int | None:
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        return int(children[0]) if children else None
    except OSError:
        return None


def proc_status(pid: int) -> tuple[float, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60, help="duration (issue: 300)")
    ap.add_argument("--threads", type=int, default=100, help="gunicorn --threads per process")
    ap.add_argument("--chat", type=float, default=12,
                    help="messages per minute in each team room (default 12)")
    ap.add_argument("--database-url", default=bl.DEFAULT_PG)
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    rates = {"dashboard": 2.0, "room": 1.0, "submit": 60.0 / max(args.seconds, 60) * 1.5,
             "matrix": 6.0}  # per person per minute

    print(f"before: {bl.load_line()}", flush=True)
    procs = bl.Procs()
    db = bl.Database(args.database_url, prefix="lms_load")
    try:
        redis_url = bl.start_redis(procs)
        if redis_url is None:
            bl.fail("redis-server is needed (two processes share Socket.IO rooms through it)")
        env = bl.app_env(procs, db.url, redis_url, LMS_ENV="production",
                         LOGIN_RATE_LIMIT="100000 per minute")
        bl.prepare_demo(env)
        grow = subprocess.run([sys.executable, str(bl.ROOT / "bench" / "seed_people.py"),
                                  str(PARTICIPANTS)], env=dict(env, LMS_ENV="development"),
                                 cwd=bl.ROOT, capture_output=True, text=True, timeout=300)
        if grow.returncode:
            bl.fail(grow.stderr[-2000:])
        ports, masters = [bl.free_port(), bl.free_port()], []
        for i, port in enumerate(ports):
            masters.append(procs.start(bl.gunicorn_args("wsgi:app", port, args.threads),
                                       env=env, log=f"app{i}.log"))
        for i, port in enumerate(ports):
            bl.wait_http(port, "/healthz", masters[i], procs.workdir / f"app{i}.log")
        emails = ([f"p{n:02d}@example.jp" for n in range(1, PARTICIPANTS + 1)]
                  + [f"trainer{n}@example.jp" for n in range(1, TRAINERS + 1)])
        tokens = bl.flask_cli(env, "lms", "token", *emails).split()
        people = []
        for i, (email, token) in enumerate(zip(emails, tokens, strict=True)):
            port = ports[i % 2]
            people.append({"email": email, "token": token, "port": port,
                           "url": f"http://127.0.0.1:{port}",
                           "role": "trainer" if email.startswith("trainer") else "participant",
                           "cookie": bl.login(port, email)})
        for p in people:
            channels = bl.get_json(p["port"], f"/api/v1/cohorts/{bl.SLUG}/channels", p["cookie"])
            rooms = [c["id"] for c in channels if c["kind"] == "team"]
            p["room"] = rooms[0] if p["role"] == "participant" else rooms[people.index(p) % 5]
        homework = bl.get_json(ports[0], f"/api/v1/cohorts/{bl.SLUG}/homework",
                               people[0]["cookie"])
        hw = next(h for h in homework if h["kind"] == "individual" and h["session_number"] == 3)
        print(f"{len(people)} people logged in on 2 processes; homework {hw['id']} "
              f"「{hw['title']}」; {args.seconds:g} s", flush=True)

        ctx = mp.get_context("fork")
        ready, out = ctx.Event(), ctx.Queue()
        sockets = ctx.Process(target=socket_side,
                              args=(people, args.seconds, args.chat, ready, out))
        sockets.start()
        if not ready.wait(180):
            bl.fail("the socket clients did not connect within 180 s")
        samples = {i: [] for i in range(2)}
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                for i, master in enumerate(masters):
                    pid = worker_pid(master.pid)
                    if pid:
                        try:
                            samples[i].append(proc_status(pid))
                        except OSError:
                            pass
                stop.wait(1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rec = Recorder()
        http_side(people, args.seconds, rec, hw["id"], rates)
        result = out.get(timeout=args.seconds + 120)
        sockets.join(30)
        stop.set()
        report(args, rec, result, samples)
    finally:
        procs.stop()
        db.drop()


def report(args, rec: Recorder, sock: dict, samples: dict) -> None:
    def row(name, values, errors):
        if values:
            p50, p99 = bl.pct(values, .5), bl.pct(values, .99)
            print(f"| {name:34} | {len(values):6d} | {p50:7.1f} | {p99:7.1f} | {errors:6d} |")
        else:
            print(f"| {name:34} | {0:6d} | {'-':>7} | {'-':>7} | {errors:6d} |")

    print(f"\n{PARTICIPANTS} participants + {TRAINERS} trainers, 2 processes (gthread, "
          f"--threads {args.threads}), PostgreSQL + Redis, {args.seconds:g} s, "
          f"{args.chat:g} messages/min per team room; {bl.load_line()}")
    print(f"\n| {'action':34} | {'count':>6} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} |")
    print(f"|{'-' * 36}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")
    for action in sorted(rec.times):
        row(action, rec.times[action], rec.errors[action])
    row("chat: send → ack", [x * 1000 for x in sock["acks"]], sock["ack_errors"])
    row("chat: send → delivered to room", [x * 1000 for x in sock["deliveries"]], 0)
    errors = sum(rec.errors.values()) + sock["ack_errors"] + sock["connect_errors"]
    print(f"\nsockets connected {sock['connected']}/{PARTICIPANTS + TRAINERS} "
          f"(refused {sock['connect_errors']}); messages sent {sock['sent']}, "
          f"lost deliveries {sock['lost']}; errors {errors}")
    for i, values in samples.items():
        if values:
            rss, threads = [v[0] for v in values], [v[1] for v in values]
            print(f"process {i + 1}: memory peak {max(rss):.0f} MB (median "
                  f"{statistics.median(rss):.0f}), threads peak {max(threads)} "
                  f"(median {statistics.median(threads):.0f})")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "actions": {a: {"n": len(v), "p50": bl.pct(v, .5), "p99": bl.pct(v, .99),
                            "errors": rec.errors[a]} for a, v in rec.times.items()},
            "socket": {k: v for k, v in sock.items() if not isinstance(v, list)},
            "processes": {i: {"rss_peak_mb": max((v[0] for v in s), default=0),
                              "threads_peak": max((v[1] for v in s), default=0)}
                          for i, s in samples.items()}}, ensure_ascii=False, indent=1))
    if errors or sock["lost"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
