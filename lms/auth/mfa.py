"""Multi-factor login: TOTP enrolment, second-step checks, recovery codes, admin reset."""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select, update

from lms.auth.models import MfaCredential, MfaRecoveryCode, User
from lms.auth.services import hash_token
from lms.auth.signals import mfa_policy_asked
from lms.db import utcnow
from lms.errors import NotFound, ValidationError
from lms.extensions import db

ISSUER = "自治体DX研修 LMS"
RECOVERY_CODE_COUNT = 10
# 16 characters of base32 (80 bits): long enough that a plain SHA-256 stores them safely.
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
STEP_SECONDS = 30
# A code of the previous or next 30-second step is accepted too (clock drift, typing time).
DRIFT_STEPS = 1

WRONG_CODE = "確認コードが正しくないか、すでに使われています。"


def credential_for(user: User) -> MfaCredential | None:
    return db.session.scalar(select(MfaCredential).where(MfaCredential.user_id == user.id))


def is_enabled(user: User) -> bool:
    cred = credential_for(user)
    return cred is not None and cred.enabled_at is not None


def is_required(user: User) -> bool:
    """Whether a higher domain says this person must use MFA (cohorts: staff of any cohort)."""
    return any(result is True for _r, result in mfa_policy_asked.send(user))


def must_enrol_first(user: User, require_mfa: bool) -> bool:
    """Under LMS_REQUIRE_MFA (`require_mfa`): a person whose browser session may only reach
    the enrolment page, because they must use MFA and have not set it up."""
    return require_mfa and not is_enabled(user) and is_required(user)


def start_enrolment(user: User) -> MfaCredential:
    """The pending credential (a new secret on first call, the same one until confirmed, so a
    reload does not invalidate what the app already scanned). Raises ValidationError when MFA
    is already on."""
    cred = credential_for(user)
    if cred is not None and cred.enabled_at is not None:
        raise ValidationError("多要素認証はすでに有効です。")
    if cred is None:
        cred = MfaCredential(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(cred)
        db.session.flush()
    return cred


def provisioning_uri(user: User, cred: MfaCredential) -> str:
    return pyotp.TOTP(cred.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> bytes:
    """The otpauth URI as an SVG QR code: paths and presentation attributes only (no style
    attribute, no script), so it passes a strict CSP."""
    import io

    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=4, dark="#000",
                                    light="#fff", xmldecl=True, title="認証アプリ用のQRコード")
    return out.getvalue()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _use_totp(cred: MfaCredential, code: str, now: float) -> bool:
    """True when the code is right and its step is newer than any accepted before. One
    conditional UPDATE, so two simultaneous requests with one code cannot both pass."""
    step = _matching_step(cred.secret, code, now)
    if step is None:
        return False
    result = db.session.execute(
        update(MfaCredential)
        .where(MfaCredential.id == cred.id,
               MfaCredential.last_step.is_(None) | (MfaCredential.last_step < step))
        .values(last_step=step)
        .execution_options(synchronize_session=False))
    if (result.rowcount or 0) != 1:
        return False
    cred.last_step = step
    return True


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; the plain codes are returned once
    (only their hashes are stored)."""
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.add(MfaRecoveryCode(user_id=user.id, code_hash=hash_token(raw)))
    db.session.flush()
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    result = db.session.execute(
        update(MfaRecoveryCode)
        .where(MfaRecoveryCode.user_id == user.id,
               MfaRecoveryCode.code_hash == hash_token(_normalise(code)),
               MfaRecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False))
    return (result.rowcount or 0) == 1


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(MfaRecoveryCode.id).where(
        MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None))).all())


def confirm_enrolment(user: User, code: str, now: float | None = None) -> list[str]:
    """Turn MFA on with the first code from the app; returns the recovery codes (shown once).
    Raises NotFound without a pending enrolment, ValidationError for a wrong code."""
    cred = credential_for(user)
    if cred is None or cred.enabled_at is not None:
        raise NotFound("登録中の認証アプリがありません。最初からやり直してください。")
    code = _normalise(code)
    if not (len(code) == 6 and code.isdigit()) or not _use_totp(cred, code, now or time.time()):
        raise ValidationError("確認コードが正しくありません。認証アプリに表示されている6桁の"
                              "数字を入力してください。")
    cred.enabled_at = utcnow()
    return new_recovery_codes(user)


def verify_second_factor(user: User, code: str, now: float | None = None) -> str | None:
    """Check a 6-digit code or a recovery code for a user with MFA on; returns "totp",
    "recovery" or None (wrong, replayed or already used). Each passes only once."""
    cred = credential_for(user)
    if cred is None or cred.enabled_at is None:
        return None
    plain = _normalise(code)
    if len(plain) == 6 and plain.isdigit():
        return "totp" if _use_totp(cred, plain, now or time.time()) else None
    if plain and _use_recovery_code(user, plain):
        return "recovery"
    return None


def disable(user: User) -> None:
    """Turn MFA off: the secret and every recovery code are deleted (the caller has checked
    the password and a code)."""
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    db.session.execute(delete(MfaCredential).where(MfaCredential.user_id == user.id))
    db.session.flush()


def reset(user: User) -> bool:
    """Administrator's reset (CLI): MFA off for a person who lost both the app and the
    codes; returns whether anything was registered."""
    had = credential_for(user) is not None
    disable(user)
    return had


def socket_cookie_user() -> User | None:
    """The person a socket opened with the login cookie speaks for; None when not logged in,
    or when LMS_REQUIRE_MFA holds them at the enrolment page (a socket is no way around it)."""
    from flask import current_app
    from flask_login import current_user

    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if must_enrol_first(user, current_app.config.get("REQUIRE_MFA", False)):
        return None
    return user
