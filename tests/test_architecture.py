"""The house's import direction (STYLE.md) as tests: a wrong-way import fails `make test`."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
EDGES = ("views", "api", "events", "handlers")  # a domain's outer edge, for the app only
ORCHESTRATION = {"lms.app", "lms.cli", "lms.demo", "lms.provisioning", "lms.models"}


def test_domains_import_one_way_as_the_import_linter_contract_says(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with redirect_stdout(out):
        code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                            no_logo=True)
    assert code == 0, out.getvalue()


def test_no_domain_imports_another_domains_views_api_events_or_handlers():
    graph = grimp.build_graph("lms")
    wrong = []
    for imported in sorted(graph.modules):
        parts = imported.split(".")
        if len(parts) < 3 or parts[2] not in EDGES:
            continue
        domain = ".".join(parts[:2])
        for importer in sorted(graph.find_modules_that_directly_import(imported)):
            if importer in ORCHESTRATION or importer.startswith(domain + ".") \
                    or importer == domain:
                continue
            wrong.append(f"{importer} -> {imported}")
    assert wrong == []
