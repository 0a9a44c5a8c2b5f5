"""Shared pieces of the HTTP benchmarks: a throwaway PostgreSQL database, a private Redis,
the app under gunicorn as the README deploys it, logging in over plain HTTP, machine load."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "tokyo-dx-2021"
PASSWORD = "demo-password"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


# --- Machine load ---------------------------------------------------------------------------

def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def busy_fraction(seconds: float = 3.0) -> float:
    """How busy all cores were over a short idle window (what others on the machine use)."""
    total0, idle0 = _cpu_times()
    time.sleep(seconds)
    total1, idle1 = _cpu_times()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


# --- Git -----------------------------------------------------------------------------------

def git(*args: str) -> str:
    result = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def short_hash(ref: str = "HEAD") -> str:
    return git("rev-parse", "--short", "--verify", f"{ref}^{{commit}}")


def dirty_files() -> list[str]:
    """Tracked files that differ from HEAD in this working tree (untracked ones aside)."""
    out = git("status", "--porcelain", "--untracked-files=no")
    return [line[3:] for line in out.splitlines() if line.strip()]


class Worktree:
    """A detached `git worktree` of a commit in a temporary directory, with this checkout's
    static/vendor (ignored by git) linked in; remove() takes it away again."""

    def __init__(self, ref: str):
        self.commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
        self.short = short_hash(self.commit)
        self.base = Path(tempfile.mkdtemp(prefix="lms-bench-worktree-"))
        self.path = self.base / "tree"
        result = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach",
                                 str(self.path), self.commit], capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(self.base, ignore_errors=True)
            fail(f"git worktree add {ref} failed: {result.stderr.strip()}")
        self.vendor = self.path / "static" / "vendor"
        if (ROOT / "static" / "vendor").is_dir() and not self.vendor.exists():
            self.vendor.parent.mkdir(parents=True, exist_ok=True)
            self.vendor.symlink_to(ROOT / "static" / "vendor", target_is_directory=True)

    def remove(self) -> None:
        if self.vendor.is_symlink():
            self.vendor.unlink()  # never let a recursive delete follow it into our checkout
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                        str(self.path)], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True)


def imported_from(env: dict, cwd: Path, module: str = "lms") -> Path:
    """Where `module` comes from for a process started with this env and cwd."""
    result = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__file__)"],
                            env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        fail(f"import {module} in {cwd} failed:\n{result.stderr[-2000:]}")
    return Path(result.stdout.strip()).resolve()


# --- PostgreSQL -----------------------------------------------------------------------------

class Database:
    """A fresh PostgreSQL database, dropped by drop()."""

    def __init__(self, admin_url: str, prefix: str = "lms_bench"):
        try:
            import psycopg
        except ImportError:
            fail("psycopg is not installed (pip install '.[production]')")
        self._psycopg = psycopg
        self.admin = admin_url.replace("postgresql+psycopg://", "postgresql://")
        self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        try:
            with psycopg.connect(self.admin, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
        except psycopg.OperationalError as exc:
            fail(f"PostgreSQL at {self.admin} is unavailable: {exc}\n"
                 "Set --database-url to a server where this user may CREATE DATABASE.")
        head = self.admin.rsplit("/", 1)[0]
        self.url = "postgresql+psycopg://" + head.split("://", 1)[1] + "/" + self.name

    def drop(self) -> None:
        with self._psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- Processes ------------------------------------------------------------------------------

class Procs:
    """Child processes started by a benchmark; stop() ends exactly these."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))

    def start(self, args: list[str], *, env: dict | None = None, cwd: Path = ROOT,
              log: str | None = None) -> subprocess.Popen:
        out = open(self.workdir / log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_redis(procs: Procs) -> str | None:
    """A private Redis on a free port (production runs with one); None without redis-server."""
    if not shutil.which("redis-server"):
        return None
    port = free_port()
    procs.start(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                 "--bind", "127.0.0.1"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    fail("the private redis-server did not start")
    return None


def app_env(procs: Procs, database_url: str, redis_url: str | None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LMS_", "DATABASE_URL", "REDIS_URL", "SOCKETIO_"))}
    env.update({
        "PYTHONPATH": str(ROOT),  # this checkout's lms, not an installed one
        "DATABASE_URL": database_url,
        "LMS_INSTANCE_PATH": str(procs.workdir / "instance"),
        "UPLOAD_FOLDER": str(procs.workdir / "uploads"),
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "LMS_DEMO_PASSWORD": PASSWORD,
        "SOCKETIO_CHANNEL": "bench-" + uuid.uuid4().hex[:8],
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def flask_cli(env: dict, *args: str, timeout: float = 300) -> str:
    dev = dict(env, LMS_ENV="development")  # `lms demo` refuses in production
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], env=dev,
                            cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        fail(f"flask {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def prepare_demo(env: dict) -> None:
    """db upgrade, lms demo, then a realistic chat history (bench/seed_chat.py)."""
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "lms", "demo")
    dev = dict(env, LMS_ENV="development")
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "seed_chat.py")], env=dev,
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        fail(f"seeding the chat history failed:\n{result.stderr[-2000:]}")


def gunicorn_args(app: str, port: int, threads: int = 100) -> list[str]:
    """README's production line: one gthread worker with 100 threads."""
    return [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--threads",
            str(threads), "-w", "1", "-b", f"127.0.0.1:{port}", app]


def wait_http(port: int, path: str, proc: subprocess.Popen, log: Path | None = None,
              timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = log.read_text()[-3000:] if log and log.exists() else ""
            fail(f"server on port {port} exited:\n{text}")
        try:
            status, _, _ = request(port, "GET", path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    fail(f"server on port {port} did not answer {path} within {timeout:.0f} s")


# --- HTTP -----------------------------------------------------------------------------------

def request(port: int, method: str, path: str, *, cookie: str = "", body: bytes | None = None,
            headers: dict | None = None, timeout: float = 30
            ) -> tuple[int, dict[str, list[str]], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if cookie:
            hdrs["Cookie"] = cookie
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        got: dict[str, list[str]] = {}
        for k, v in resp.getheaders():
            got.setdefault(k.lower(), []).append(v)
        return resp.status, got, data
    finally:
        conn.close()


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    # Production cookies are Secure; over loopback HTTP we carry them by hand.
    out = {}
    for line in headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def login(port: int, email: str, password: str = PASSWORD) -> str:
    """Log in through the form (CSRF included); returns the Cookie header to send."""
    status, headers, body = request(port, "GET", "/login")
    if status != 200:
        fail(f"GET /login answered {status}")
    jar = _cookies(headers)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        rb'name="csrf-token" content="([^"]+)"', body)
    form = {"email": email, "password": password, "next": ""}
    if token:
        form["csrf_token"] = token.group(1).decode()
    status, headers, _ = request(
        port, "POST", "/login", cookie="; ".join(f"{k}={v}" for k, v in jar.items()),
        body=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        fail(f"login as {email} answered {status} (wrong password or rate limit?)")
    jar.update(_cookies(headers))
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def get_json(port: int, path: str, cookie: str):
    status, _, body = request(port, "GET", path, cookie=cookie)
    if status != 200:
        fail(f"GET {path} answered {status}")
    return json.loads(body)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]
