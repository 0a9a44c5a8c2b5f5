"""A server killed during an upload (issue 14): SIGKILL while the body is still arriving, and
SIGKILL after the first files were written but before the submission was committed. Neither
leaves a half submission (the next submit is the next version, every stored row has its
files), and the periodic sweep removes the files no row points to."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import start_live_server
from tests.homework.helpers import PDF

SLUG = "tokyo-dx-2021"
BOUNDARY = "lmsfaultboundary7e3f"
FILE_MB = 19  # under the 20 MB limit; five of them make the write take a while


def _multipart(files: int, size: int) -> bytes:
    pdf = PDF + b"%" + b"0" * (size - len(PDF) - 1)
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="body"\r\n\r\n'
             "中断テスト\r\n".encode(),
             f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="client_submission_id"'
             f"\r\n\r\n{uuid.uuid4()}\r\n".encode()]
    for n in range(files):
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
                     f'filename="report{n}.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
                     .encode() + pdf + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def _request_head(path: str, token: str, length: int, port: int) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()


def _submit(server, token: str, homework_id: int, files: int = 1) -> dict:
    response = requests.post(
        f"{server.url}/api/v1/homework/{homework_id}/submissions", timeout=60,
        headers={"Authorization": f"Bearer {token}"},
        data={"body": "通常の提出", "client_submission_id": str(uuid.uuid4())},
        files=[("files", (f"ok{n}.pdf", PDF, "application/pdf")) for n in range(files)])
    assert response.status_code == 201, response.text[:300]
    return response.json()


def _rows(workdir: Path) -> tuple[int, set[str]]:
    """Submissions and the stored names their files point to, read from the database."""
    with sqlite3.connect(workdir / "live.sqlite3") as conn:
        submissions = conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
        names = {r[0] for r in conn.execute("SELECT stored_name FROM submission_files")}
    return submissions, names


def _kill(server) -> None:
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)


@pytest.fixture
def setup(tmp_path):
    workdir = tmp_path / "app"
    server = start_live_server(workdir)
    servers = [server]
    token = server.token("p01@example.jp")[0]
    listing = requests.get(f"{server.url}/api/v1/cohorts/{SLUG}/homework", timeout=30,
                           headers={"Authorization": f"Bearer {token}"}).json()
    homework = next(h for h in listing if h["kind"] == "individual" and not h["closed"])
    yield workdir, servers, token, homework["id"]
    for s in servers:
        s.stop()


def test_killed_during_uploads_leaves_no_half_submission_and_the_sweep_clears_files(setup):
    workdir, servers, token, homework_id = setup
    server = servers[0]
    uploads = workdir / "uploads"
    first = _submit(server, token, homework_id)
    submissions_before, referenced_before = _rows(workdir)
    assert len(referenced_before) >= 1
    path = f"/api/v1/homework/{homework_id}/submissions"

    # 1. Killed while the body is still arriving: nothing is stored at all.
    body = _multipart(3, 2 * 1024 * 1024)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(_request_head(path, token, len(body), server.port))
        conn.sendall(body[: len(body) // 2])
        time.sleep(0.5)
        _kill(server)
    assert _rows(workdir) == (submissions_before, referenced_before)
    assert {p.name for p in uploads.iterdir()} == referenced_before

    # 2. Killed after the first files were written, before the commit.
    server = start_live_server(workdir, seed=False)
    servers.append(server)
    body = _multipart(5, FILE_MB * 1024 * 1024)

    def send():
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=60) as conn:
                conn.sendall(_request_head(path, token, len(body), server.port))
                conn.sendall(body)
                conn.recv(1024)
        except OSError:
            pass  # the server died under us: that is the point

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    deadline = time.monotonic() + 60
    while not (set(os.listdir(uploads)) - referenced_before):
        assert time.monotonic() < deadline, "the upload never reached the disk"
        assert server.proc.poll() is None
        time.sleep(0.0005)
    _kill(server)
    sender.join(timeout=10)
    orphans = {p.name for p in uploads.iterdir()} - referenced_before
    assert orphans, "no file was written before the kill"
    # No half submission: the database holds exactly what it held before.
    assert _rows(workdir) == (submissions_before, referenced_before)

    # Back up: the next submit is the next version (no version was used by a half one),
    # and the files already there still download.
    server = start_live_server(workdir, seed=False)
    servers.append(server)
    second = _submit(server, token, homework_id)
    assert second["version"] == first["version"] + 1
    headers = {"Authorization": f"Bearer {token}"}
    got = requests.get(f"{server.url}/api/v1/files/{first['files'][0]['id']}", headers=headers,
                       timeout=30)
    assert got.status_code == 200 and got.content == PDF

    # The sweep (cron / `lms sweep-uploads`) removes exactly the orphans.
    swept = server.cli("lms", "sweep-uploads", "--older-than", "0").split()
    assert set(swept) == orphans
    _count, referenced_now = _rows(workdir)
    assert {p.name for p in uploads.iterdir()} == referenced_now
    assert referenced_before <= referenced_now
    got = requests.get(f"{server.url}/api/v1/files/{second['files'][0]['id']}",
                       headers=headers, timeout=30)
    assert got.status_code == 200 and got.content == PDF
