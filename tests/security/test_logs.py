"""Structured logs with a request id (issue 14)."""

from __future__ import annotations

import json
import logging

from lms.logs import JsonFormatter


def test_every_response_carries_a_request_id_and_a_sane_one_is_kept(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert client.get("/login", headers={"X-Request-ID": "nginx-abc.123"}
                      ).headers["X-Request-ID"] == "nginx-abc.123"
    forged = client.get("/login", headers={"X-Request-ID": "<script> " * 20})
    assert len(forged.headers["X-Request-ID"]) == 32


def test_access_lines_are_json_with_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="lms.access"):
        response = client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    record = next(r for r in caplog.records if r.name == "lms.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "probe-1" and line["status"] == response.status_code
    assert line["path"] == "/healthz" and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float) and line["level"] == "INFO"
