"""Signals the surveys domain sends; higher layers (notifications) connect to them."""

from blinker import Namespace

_signals = Namespace()

# Sent after a survey was opened and flushed: sender is the survey, kwargs: actor (User).
survey_opened = _signals.signal("survey-opened")
