"""Cohort archive: the whole cohort as one zip (JSON per table + uploaded files), and back.

Orchestration above every domain (like the CLI). Table-driven: lms.archive.spec lists the
tables in insert order; a new domain's tables (retros, surveys, proposals) are archived by
adding them to that list."""
