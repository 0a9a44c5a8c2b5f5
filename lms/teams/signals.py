"""What the teams domain announces; higher domains connect handlers in create_app."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

teams_changed = _signals.signal("teams-changed", doc="""
Teams were formed or a municipality moved: who works in which team changed. Sent inside the
transaction. Sender: the Cohort. Keyword `teams`: the cohort's teams after the change.""")
