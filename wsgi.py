"""WSGI entry point: the only module that builds an app at import."""

import os

from lms.app import create_app
from lms.extensions import socketio

app = create_app()

if __name__ == "__main__":
    # Development server with WebSocket support; production uses gunicorn (see README).
    socketio.run(app, host=os.environ.get("HOST", "127.0.0.1"),
                 port=int(os.environ.get("PORT", "5000")), allow_unsafe_werkzeug=True)
