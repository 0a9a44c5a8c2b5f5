"""Goal checker: is a team's goal a means (施策) or an outcome (成果)? Pure, no Flask."""

from .checker import MAX_GOAL_CHARS, GoalResult, check_goal

__all__ = ["MAX_GOAL_CHARS", "GoalResult", "check_goal"]
