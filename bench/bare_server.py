"""A bare python-socketio broadcast server on the same stack (threading, Werkzeug) as ours.

Usage: python bench/bare_server.py PORT — `join` enters one room, `send` broadcasts to it."""

from __future__ import annotations

import sys

import socketio
from werkzeug.serving import run_simple

sio = socketio.Server(async_mode="threading", cors_allowed_origins=[])
app = socketio.WSGIApp(sio)


@sio.event
def join(sid, data):
    sio.enter_room(sid, "room")
    return {"ok": True}


@sio.event
def send(sid, data):
    sio.emit("message", data, to="room")
    return {"ok": True, "message": data}


if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True)
