"""Goal checker: is a team's goal a means (施策) or an outcome (成果)? Pure, no Flask."""

from .checker import LEVELS, MAX_GOAL_CHARS, GoalResult, check_goal

__all__ = ["LEVELS", "MAX_GOAL_CHARS", "GoalResult", "check_goal"]
