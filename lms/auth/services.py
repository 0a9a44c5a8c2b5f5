"""Password hashing, login checks, API tokens and invitation links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from lms.auth.logins import end_logins
from lms.auth.models import ApiToken, InviteToken, User
from lms.auth.signals import invite_redeeming
from lms.db import utcnow
from lms.errors import NotFound, ValidationError
from lms.extensions import db

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# A valid hash to verify against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_token(token: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = get_user_by_email(email)
    if user is None or not user.password_hash or not user.active:
        try:
            _hasher.verify(_DUMMY_HASH, password or "x")
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def check_password_rule(password: str) -> None:
    """Raise ValidationError when the password is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")


def set_password(user: User, password: str, now: datetime | None = None) -> None:
    """Set a new password; raises ValidationError when it is too short.

    Whatever the route, every password link still outstanding for the user is cancelled, so
    an older link (a mailbox, a downloaded invites.csv) can never replace this password."""
    check_password_rule(password)
    user.password_hash = hash_password(password)
    # Sessions opened with the old password (someone else's, perhaps) end now.
    user.session_version = (user.session_version or 0) + 1
    end_logins(user)
    revoke_invites(user, now)


def end_all_sessions(user: User) -> list[int]:
    """Log the user out everywhere: every login's server-side session is deleted, so its
    cookie stops working at its next request; returns the ended logins' ids, whose sockets
    the caller closes after the commit (logins.close_login_sockets). session_version moves
    too, so a socket that escaped that ends at its process's next re-check."""
    user.session_version = (user.session_version or 0) + 1
    ended = end_logins(user)
    db.session.flush()
    return ended


def revoke_invites(user: User, now: datetime | None = None) -> int:
    """Cancel every unused, uncancelled password link of the user; returns how many."""
    result = db.session.execute(
        update(InviteToken)
        .where(InviteToken.user_id == user.id, InviteToken.used_at.is_(None),
               InviteToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def revoke_api_tokens(user: User, now: datetime | None = None) -> int:
    """Revoke every API token of the user (after a password reset); returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def create_api_token(user: User) -> str:
    """Create a personal API token; only its hash is stored, so return the plain text once."""
    token = "lms_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    db.session.flush()
    return token


def find_api_token(token: str) -> ApiToken | None:
    """The unrevoked token row of an active user for this plain token, or None."""
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                               ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    return row


def user_for_api_token(token: str) -> User | None:
    row = find_api_token(token)
    return row.user if row is not None else None


# last_used_at is written at most this often per token, not on every request.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def note_token_use(row: ApiToken, now: datetime | None = None) -> bool:
    """Record that the token was used, unless that was recorded in the last minute; returns
    whether a write is pending (the caller commits). One conditional UPDATE, so concurrent
    requests with one token write once."""
    now = now or utcnow()
    if row.last_used_at is not None and now - row.last_used_at < TOKEN_USE_RESOLUTION:
        return False
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == row.id,
               ApiToken.last_used_at.is_(None)
               | (ApiToken.last_used_at < now - TOKEN_USE_RESOLUTION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False))
    return (result.rowcount or 0) == 1


def list_api_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they show as revoked)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_api_token(user: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens; NotFound for another's or an unknown id.
    Revoking a revoked token changes nothing."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("トークンが見つかりません。")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        db.session.flush()
    return row


def revoke_api_token_by_value(token: str, now: datetime | None = None) -> ApiToken | None:
    """Revoke the token with this plain text (CLI); None when there is none to revoke."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                                   ApiToken.revoked_at.is_(None)))
    if row is not None:
        row.revoked_at = now or utcnow()
        db.session.flush()
    return row


def create_invite(user: User, days: int = 14, now: datetime | None = None,
                  issued_by: User | None = None) -> str:
    """A fresh one-time link for setting a password (stored hashed).

    Issuing it cancels the user's older links: only the newest link works. `issued_by` is the
    organizer handing it out; their reach over the account is checked again on use."""
    now = now or utcnow()
    revoke_invites(user, now)
    token = secrets.token_urlsafe(32)
    db.session.add(InviteToken(user_id=user.id, token_hash=hash_token(token), created_at=now,
                               expires_at=now + timedelta(days=days),
                               issued_by_id=issued_by.id if issued_by is not None else None))
    db.session.flush()
    return token


_INVALID_LINK = ("このリンクは無効か、期限が切れています。"
                 "主催者に新しいリンクを依頼してください。")


def find_invite(token: str, now: datetime | None = None) -> InviteToken:
    """The usable invitation for this token; raises NotFound otherwise.

    Usable: unused, not cancelled, unexpired, and — for a link an organizer issued — the
    account still within that organizer's reach (higher layers answer `invite_redeeming`)."""
    now = now or utcnow()
    invite = db.session.scalar(select(InviteToken).where(
        InviteToken.token_hash == hash_token(token)))
    if (invite is None or invite.used_at is not None or invite.revoked_at is not None
            or invite.expires_at < now):
        raise NotFound(_INVALID_LINK)
    if invite.issued_by_id is not None:
        answers = invite_redeeming.send(invite, user_id=invite.user_id,
                                        issued_by_id=invite.issued_by_id)
        if any(result is False for _receiver, result in answers):
            raise NotFound(_INVALID_LINK)
    return invite


def accept_invite(token: str, password: str, now: datetime | None = None) -> User:
    """Set the password through an invitation and spend the link.

    The link is consumed by one conditional UPDATE, so of two simultaneous requests with the
    same link exactly one succeeds. Setting the password cancels the user's other links and
    revokes their API tokens (a reset means the old credentials may be someone else's).
    Raises NotFound (bad, used, cancelled, expired or out-of-reach link) or ValidationError
    (weak password; the link stays usable)."""
    now = now or utcnow()
    invite = find_invite(token, now)
    check_password_rule(password)
    consumed = db.session.execute(
        update(InviteToken)
        .where(InviteToken.id == invite.id, InviteToken.used_at.is_(None),
               InviteToken.revoked_at.is_(None), InviteToken.expires_at >= now)
        .values(used_at=now)
        .execution_options(synchronize_session=False))
    if consumed.rowcount != 1:
        raise NotFound(_INVALID_LINK)
    user = invite.user
    set_password(user, password, now)
    revoke_api_tokens(user, now)
    return user
