"""The stack's ceiling: a bare Flask "hello" served by the same gunicorn settings as the app.

`gunicorn --worker-class gthread --threads 100 -w 1 hello_app:app` (bench/pages.py starts it)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
