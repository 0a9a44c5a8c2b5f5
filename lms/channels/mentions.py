"""Mentions: who may be @mentioned in a channel, which '@words' name them, and which name
nobody (so the writer can be told instead of silently mentioning no one)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import or_, select

from lms.auth.models import User
from lms.channels.models import Channel
from lms.cohorts.access import STAFF_ROLES
from lms.cohorts.models import CohortMunicipality, Membership
from lms.extensions import db

MENTION_WINDOW = 40


def normalise_for_search(text: str) -> str:
    """NFKC and lower case, so 'ＤＸ' finds 'dx' and full-width digits match half-width."""
    return unicodedata.normalize("NFKC", text).lower()


def mention_candidates(channel: Channel) -> list[User]:
    """The people who may read the channel, i.e. who can be @mentioned in it."""
    query = (select(User).join(Membership, Membership.user_id == User.id)
             .where(Membership.cohort_id == channel.cohort_id))
    if channel.kind == "team":
        in_team = select(CohortMunicipality.municipality_code).where(
            CohortMunicipality.cohort_id == channel.cohort_id,
            CohortMunicipality.team_id == channel.team_id)
        query = query.where(or_(Membership.role.in_(STAFF_ROLES),
                                Membership.municipality_code.in_(in_team)))
    return list(db.session.scalars(query))


def find_mentions(body: str, candidates: list[User]) -> list[User]:
    """People named after '@': the name without spaces (@佐藤健太) or the mail's local part."""
    keys, ordered = _mention_keys(candidates)
    found: dict[int, User] = {}
    text = normalise_for_search(body)
    for match in re.finditer(r"@", text):
        window = re.sub(r"\s+", "", text[match.end():match.end() + MENTION_WINDOW])
        key = next((k for k in ordered if k and window.startswith(k)), None)
        if key:
            found.setdefault(keys[key].id, keys[key])
    return list(found.values())


# An '@' that starts a mention: at the start or after a space or punctuation, not inside a
# mail address (taro@example.jp).
_MENTION_AT = re.compile(r"(?:^|(?<=[\s(（「『、。,.!?！？:：;；]))@")
_MENTION_WORD = re.compile(r"[^\s@、。,，.!?！？:：;；()（）「」『』]+")


def _mention_keys(candidates: list[User]) -> tuple[dict[str, User], list[str]]:
    keys: dict[str, User] = {}
    for user in candidates:
        keys[re.sub(r"\s+", "", normalise_for_search(user.name))] = user
        keys.setdefault(user.email.split("@", 1)[0].lower(), user)
    return keys, sorted(keys, key=len, reverse=True)


def unmatched_mentions(body: str, candidates: list[User]) -> list[str]:
    """The '@words' of body that name nobody who may read the channel (so nobody is told),
    as written after NFKC ('＠山田' → '@山田'), each once, in order."""
    text = normalise_for_search(body)
    if "@" not in text:
        return []
    _keys, ordered = _mention_keys(candidates)
    missing: list[str] = []
    for match in _MENTION_AT.finditer(text):
        window = re.sub(r"\s+", "", text[match.end():match.end() + MENTION_WINDOW])
        if any(k and window.startswith(k) for k in ordered):
            continue
        word = _MENTION_WORD.match(text, match.end())
        if word and f"@{word.group()}" not in missing:
            missing.append(f"@{word.group()}")
    return missing


def unmatched_mention_warning(body: str, channel: Channel) -> str | None:
    """A Japanese warning naming the '@words' that mention nobody, or None."""
    if "@" not in body and "＠" not in body:
        return None
    missing = unmatched_mentions(body, mention_candidates(channel))
    if not missing:
        return None
    return ("「" + "」「".join(missing) + "」に当てはまる人がこのチャンネルにいないため、"
            "誰にも通知されていません。名前を確かめてください（@のあとに空白なしの氏名）。")


MAX_MEMBER_RESULTS = 10


def mention_handle(user: User) -> str:
    """What to type after '@' to mention this person: the name without spaces."""
    return re.sub(r"\s+", "", user.name)


def search_mention_candidates(channel: Channel, q: str,
                              limit: int = MAX_MEMBER_RESULTS) -> list[User]:
    """The people who may read the channel whose name (spaces ignored) or mail's local part
    starts with q, then those containing it; by name. q empty: the first by name."""
    needle = re.sub(r"\s+", "", normalise_for_search(q or ""))
    people = sorted(mention_candidates(channel), key=lambda u: (u.name, u.id))
    if not needle:
        return people[:limit]

    def rank(user: User) -> int | None:
        name = re.sub(r"\s+", "", normalise_for_search(user.name))
        local = user.email.split("@", 1)[0].lower()
        if name.startswith(needle) or local.startswith(needle):
            return 0
        if needle in name:
            return 1
        return None

    ranked = [(r, u) for u in people if (r := rank(u)) is not None]
    return [u for _r, u in sorted(ranked, key=lambda p: p[0])][:limit]
