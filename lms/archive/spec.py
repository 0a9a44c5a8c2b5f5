"""Which tables make up a cohort, in insert order, and how their references are written.

Every table listed belongs to the cohort either through its own `cohort_id` or through a
foreign key to a table listed before it. In the archive:
- primary keys become archive-local numbers (1, 2, … in the order of the original ids), and
  references to listed tables use those numbers, so the archive does not depend on the ids
  of the instance it came from;
- references to users are written as the user's email, to municipalities as their code;
- the reference to the cohort itself is left out (the archive holds one cohort).
To archive a new domain, append its tables here (parents before children)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    name: str
    # Columns left out (instance-specific or secret); the import lets their defaults apply.
    exclude: tuple[str, ...] = ()
    # (type column, id column): a polymorphic reference to a listed table by its name.
    polymorphic: tuple[str, str] | None = None
    # The column holding the name of a stored upload: the file goes into the zip.
    stored_file: str | None = None
    extra: dict = field(default_factory=dict)


TABLES: list[TableSpec] = [
    TableSpec("teams"),
    TableSpec("cohort_municipalities"),
    TableSpec("memberships"),
    TableSpec("workshop_sessions"),
    TableSpec("attendance"),
    TableSpec("catchup_progress"),
    TableSpec("homework"),
    TableSpec("homework_drafts"),
    TableSpec("submissions"),
    TableSpec("submission_files", stored_file="stored_name"),
    TableSpec("channels"),
    TableSpec("messages"),
    TableSpec("message_reactions"),
    TableSpec("message_mentions"),
    TableSpec("channel_reads"),
    TableSpec("cases"),
    TableSpec("audit_log", polymorphic=("target_type", "target_id")),
    TableSpec("retro_configs"),
    TableSpec("retro_boards"),
    TableSpec("retro_cards"),
    TableSpec("retro_votes"),
    TableSpec("retro_actions"),
    TableSpec("surveys"),
    TableSpec("survey_responses"),
    TableSpec("proposals"),
    TableSpec("proposal_versions"),
    TableSpec("proposal_comments"),
    TableSpec("proposal_reviews"),
    TableSpec("proposal_publications"),
]

# Global tables referenced by natural key instead of being archived per cohort.
USER_TABLE = "users"
USER_COLUMNS = ("email", "name", "active", "created_at")  # never the password hash
MUNICIPALITY_TABLE = "municipalities"
COHORT_TABLE = "cohorts"
COHORT_EXCLUDE = ("id",)
FORMAT = "lms-cohort-archive"
VERSION = 1
