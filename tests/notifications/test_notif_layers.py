"""Notifications sit just above cohorts/teams: they import no feature built on them."""

from __future__ import annotations

import ast
from pathlib import Path

import lms.notifications

HIGHER = ("lms.sessions", "lms.homework", "lms.channels", "lms.retros", "lms.surveys",
          "lms.proposals", "lms.exports", "lms.dashboard", "lms.demo", "lms.cli")


def test_notif_domain_imports_no_higher_domain():
    package = Path(lms.notifications.__file__).parent
    found = []
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [(path.name, n) for n in names if n.startswith(HIGHER)]
    assert found == []
