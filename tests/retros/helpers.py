"""Helpers for the retro tests."""

from __future__ import annotations


def updates(client) -> list[dict]:
    """The retro_updated payloads a socket test client received since last asked."""
    return [r["args"][0] for r in client.get_received("/retros") if r["name"] == "retro_updated"]
