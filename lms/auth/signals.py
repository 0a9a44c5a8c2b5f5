"""Signals the auth domain sends, for higher domains to answer or react to."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the InviteToken as sender and `user_id`, `issued_by_id` before an organizer-issued
# password link is shown or used; a receiver returns False when the issuer may no longer hand
# that account a link (cohorts: the reach rule), which makes the link invalid.
invite_redeeming = _signals.signal("invite-redeeming")

# Sent with the User as sender to ask whether that person must use multi-factor login (under
# LMS_REQUIRE_MFA); a receiver returns True when it must (cohorts: staff of any cohort).
mfa_policy_asked = _signals.signal("mfa-policy-asked")
