"""One per-user posting limit shared by the API, the HTML form and Socket.IO."""

from __future__ import annotations

import time

from flask import current_app
from limits import parse

from lms.errors import RateLimited
from lms.extensions import limiter

__all__ = ["RateLimited", "check_post_rate"]  # RateLimited lives in lms.errors

DEFAULT_POST_LIMIT = "30 per minute"


def check_post_rate(user_id: int) -> None:
    """Count one post for the user; raises RateLimited when over CHANNEL_POST_LIMIT.
    Fails open when the limiter's storage (Redis) is down, as CONTRACT says."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    item = parse(current_app.config.get("CHANNEL_POST_LIMIT", DEFAULT_POST_LIMIT))
    try:
        if limiter.limiter.hit(item, "channel-post", str(user_id)):
            return
        reset_at, _remaining = limiter.limiter.get_window_stats(item, "channel-post",
                                                                 str(user_id))
    except Exception:  # storage outage: do not block conversation
        current_app.logger.warning("rate limit storage unavailable; allowing post")
        return
    retry = max(1, int(reset_at - time.time()) + 1)
    raise RateLimited(
        f"投稿が多すぎます（1分あたり{item.amount}件まで）。{retry}秒ほど待ってから送ってください。",
        extra={"retry_after": retry})
