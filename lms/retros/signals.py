"""Signals the retros domain sends; higher layers (notifications) connect to them."""

from blinker import Namespace

_signals = Namespace()

# Sent after a board's phase changed and was flushed: sender is the board,
# kwargs: actor (User), old_phase, new_phase.
retro_phase_changed = _signals.signal("retro-phase-changed")
