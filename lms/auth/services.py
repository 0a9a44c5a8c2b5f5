"""Password hashing, login checks, API tokens and invitation links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from lms.auth.models import ApiToken, InviteToken, User
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


def set_password(user: User, password: str) -> None:
    """Set a new password; raises ValidationError when it is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")
    user.password_hash = hash_password(password)
    # Sessions opened with the old password (someone else's, perhaps) end now.
    user.session_version = (user.session_version or 0) + 1


def create_api_token(user: User) -> str:
    """Create a personal API token; only its hash is stored, so return the plain text once."""
    token = "lms_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    db.session.flush()
    return token


def user_for_api_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                               ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    return row.user


def create_invite(user: User, days: int = 14, now: datetime | None = None) -> str:
    """A fresh one-time invitation token for setting a password (stored hashed)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(InviteToken(user_id=user.id, token_hash=hash_token(token), created_at=now,
                               expires_at=now + timedelta(days=days)))
    db.session.flush()
    return token


def find_invite(token: str, now: datetime | None = None) -> InviteToken:
    """The unused, unexpired invitation for this token; raises NotFound otherwise."""
    now = now or utcnow()
    invite = db.session.scalar(select(InviteToken).where(
        InviteToken.token_hash == hash_token(token)))
    if invite is None or invite.used_at is not None or invite.expires_at < now:
        raise NotFound("このリンクは無効か、期限が切れています。"
                       "主催者に新しいリンクを依頼してください。")
    return invite


def accept_invite(token: str, password: str, now: datetime | None = None) -> User:
    """Set the password through an invitation and spend the link.

    Raises NotFound (bad, used or expired link) or ValidationError (weak password).
    """
    invite = find_invite(token, now)
    set_password(invite.user, password)
    invite.used_at = now or utcnow()
    return invite.user
