"""Signals the proposals domain sends, for higher layers (notifications) to connect.

Every signal is sent inside the service, before the view commits, so that a handler that
adds rows (notifications, outbox mail) writes them in the same transaction: they exist
exactly when the action does. Handlers must not commit and must not emit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Proposal; kwargs: actor (User who submitted), means_goal (bool: submitted
#: with a goal the checker judged a means). Concerns the cohort's trainers.
proposal_submitted = _signals.signal("proposal-submitted")

#: sender: the ProposalComment; kwargs: proposal, actor, audience. `audience` is "staff"
#: while the comment is unreleased (notify the other trainers only: the team must learn
#: nothing before release) and "team" for a comment the team can already read (a reply
#: after release, or a team member's reply, which concerns the staff and the team).
proposal_commented = _signals.signal("proposal-commented")

#: sender: the Proposal; kwargs: review (ProposalReview), actor. The team may now read the
#: comments, scores and decision.
proposal_review_released = _signals.signal("proposal-review-released")
