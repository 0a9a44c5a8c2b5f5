"""Who has a room open now (a team room, a proposal): kept in this process, or shared by every
process through Redis. The ids are the room's own (channel id, proposal id); each use keeps its
own store under its own Redis prefix."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterable
from typing import Protocol

log = logging.getLogger(__name__)

HEARTBEAT_TTL = 30  # seconds a process's entries outlive its last heartbeat


class PresenceStore(Protocol):
    """One interface for both stores; no method raises (presence must never break a send)."""

    heartbeat_every: float

    def add(self, channel_id: int, sid: str, user_id: int, name: str) -> None: ...

    def remove(self, channel_id: int, sid: str) -> bool: ...

    def remove_connection(self, sid: str) -> list[int]: ...

    def users(self, channel_id: int) -> list[dict]: ...

    def heartbeat(self) -> list[int]: ...


def _listing(people: Iterable[tuple[int, str]]) -> list[dict]:
    """Each person once (several tabs are one person), ordered by id."""
    return [{"id": uid, "name": name} for uid, name in sorted(dict(people).items())]


class LocalPresence:
    """The connections of this process only: right for a single process, and the fallback of
    RedisPresence while Redis does not answer."""

    heartbeat_every = 10.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[int, dict[str, tuple[int, str]]] = {}

    def add(self, channel_id: int, sid: str, user_id: int, name: str) -> None:
        with self._lock:
            self._rooms.setdefault(channel_id, {})[sid] = (user_id, name)

    def remove(self, channel_id: int, sid: str) -> bool:
        with self._lock:
            room = self._rooms.get(channel_id)
            if room is None or room.pop(sid, None) is None:
                return False
            if not room:
                del self._rooms[channel_id]
            return True

    def remove_connection(self, sid: str) -> list[int]:
        """Take a closed connection out of every room; returns the rooms it was in."""
        with self._lock:
            left = [cid for cid, room in self._rooms.items() if room.pop(sid, None)]
            for cid in left:
                if not self._rooms[cid]:
                    del self._rooms[cid]
        return left

    def entries(self, channel_id: int) -> dict[str, tuple[int, str]]:
        with self._lock:
            return dict(self._rooms.get(channel_id, {}))

    def channels(self) -> set[int]:
        with self._lock:
            return set(self._rooms)

    def users(self, channel_id: int) -> list[dict]:
        return _listing(self.entries(channel_id).values())

    def heartbeat(self) -> list[int]:
        return []


class RedisPresence:
    """Every process's connections, so each process lists everyone in the room.

    `<prefix>:presence:<channel_id>` is a hash sid → {user_id, name, process_id}; a process is
    alive while its key `<prefix>:presence-alive:<process_id>` exists (TTL HEARTBEAT_TTL,
    refreshed by heartbeat()). Entries of a process whose key has expired (it crashed) are
    ignored and deleted. This process's own connections are also kept locally: they are listed
    from there while Redis is unreachable, and written back by the first heartbeat that reaches
    Redis again (it may have restarted empty)."""

    def __init__(self, url: str, prefix: str, *, ttl: int = HEARTBEAT_TTL, client=None) -> None:
        if client is None:
            import redis

            # Short timeouts: a join waits at most this long for an unreachable Redis.
            client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5,
                                          decode_responses=True)
        self._redis = client
        self._prefix = f"{prefix}:presence"
        self._ttl = ttl
        self.heartbeat_every = ttl / 3
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._local = LocalPresence()
        self._lock = threading.Lock()  # orders our writes against heartbeat's rewrite
        self._online = True  # False after a failure, until a heartbeat reaches Redis
        self._written: set[int] = set()  # rooms that may hold entries of ours

    def _room_key(self, channel_id: int) -> str:
        return f"{self._prefix}:{channel_id}"

    def _alive_key(self, process_id: str) -> str:
        return f"{self._prefix}-alive:{process_id}"

    def _entry(self, user_id: int, name: str) -> str:
        return json.dumps({"user_id": user_id, "name": name, "process_id": self.process_id},
                          ensure_ascii=False)

    def _went_offline(self, exc: Exception) -> None:
        if self._online:
            log.warning("presence: Redis unreachable, listing this process's connections "
                        "only (%s)", exc)
        self._online = False

    # --- writes -------------------------------------------------------------------------------
    def add(self, channel_id: int, sid: str, user_id: int, name: str) -> None:
        with self._lock:
            self._local.add(channel_id, sid, user_id, name)
            self._written.add(channel_id)
            if not self._online:
                return
            try:
                pipe = self._redis.pipeline(transaction=False)
                pipe.set(self._alive_key(self.process_id), "1", ex=self._ttl)
                pipe.hset(self._room_key(channel_id), sid, self._entry(user_id, name))
                # A room nobody refreshes (every process gone) disappears by itself.
                pipe.expire(self._room_key(channel_id), self._ttl * 4)
                pipe.execute()
            except Exception as exc:  # presence never breaks a join
                self._went_offline(exc)

    def remove(self, channel_id: int, sid: str) -> bool:
        with self._lock:
            was_here = self._local.remove(channel_id, sid)
            if was_here and self._online:
                try:
                    self._redis.hdel(self._room_key(channel_id), sid)
                except Exception as exc:
                    self._went_offline(exc)
            return was_here

    def remove_connection(self, sid: str) -> list[int]:
        with self._lock:
            left = self._local.remove_connection(sid)
            if left and self._online:
                try:
                    pipe = self._redis.pipeline(transaction=False)
                    for channel_id in left:
                        pipe.hdel(self._room_key(channel_id), sid)
                    pipe.execute()
                except Exception as exc:
                    self._went_offline(exc)
            return left

    # --- reads --------------------------------------------------------------------------------
    def _read(self, channel_id: int) -> tuple[set[str], dict[str, dict], list[str]]:
        """The room in Redis: sids stored by this process, entries of other live processes,
        and sids of dead processes' (or unreadable) entries."""
        raw = self._redis.hgetall(self._room_key(channel_id))
        own, others, dead = set(), {}, []
        for sid, value in raw.items():
            try:
                entry = json.loads(value)
                process_id = entry["process_id"]
                entry["user_id"], entry["name"]  # noqa: B018 - a complete entry
            except (ValueError, TypeError, KeyError):
                dead.append(sid)
                continue
            if process_id == self.process_id:
                own.add(sid)
            else:
                others[sid] = entry
        processes = sorted({e["process_id"] for e in others.values()})
        alive = dict(zip(processes, self._redis.mget([self._alive_key(p) for p in processes]),
                         strict=True)) if processes else {}
        dead += [sid for sid, e in others.items() if alive[e["process_id"]] is None]
        return own, {s: e for s, e in others.items() if alive[e["process_id"]] is not None}, dead

    def users(self, channel_id: int) -> list[dict]:
        """Everyone in the room: ours from memory, the other live processes' from Redis."""
        mine = list(self._local.entries(channel_id).values())
        if not self._online:
            return _listing(mine)
        try:
            _own, others, dead = self._read(channel_id)
            if dead:
                self._redis.hdel(self._room_key(channel_id), *dead)
        except Exception as exc:
            self._went_offline(exc)
            return _listing(mine)
        return _listing(mine + [(e["user_id"], e["name"]) for e in others.values()])

    # --- upkeep -------------------------------------------------------------------------------
    def heartbeat(self) -> list[int]:
        """Prove this process alive, make Redis hold exactly our current connections, and
        delete dead processes' entries. Returns the rooms whose listing may have changed
        (to announce again); [] while Redis is unreachable."""
        with self._lock:
            try:
                self._redis.set(self._alive_key(self.process_id), "1", ex=self._ttl)
                was_offline = not self._online
                changed = self._rewrite()
            except Exception as exc:
                self._went_offline(exc)
                return []
            if was_offline:
                # Our browsers saw only this process meanwhile: show them everyone again.
                log.warning("presence: Redis reachable again")
                self._online = True
                changed |= self._local.channels()
            return sorted(changed)

    def _rewrite(self) -> set[int]:
        changed = set()
        for channel_id in sorted(self._written | self._local.channels()):
            key = self._room_key(channel_id)
            mine = self._local.entries(channel_id)
            own, _others, dead = self._read(channel_id)
            stale = [sid for sid in own if sid not in mine] + dead
            missing = {sid: self._entry(uid, name) for sid, (uid, name) in mine.items()
                       if sid not in own}
            pipe = self._redis.pipeline(transaction=False)
            if stale:
                pipe.hdel(key, *stale)
            if missing:
                pipe.hset(key, mapping=missing)
            if mine:
                pipe.expire(key, self._ttl * 4)
            pipe.execute()
            if stale or missing:
                changed.add(channel_id)
            if not mine:
                self._written.discard(channel_id)
        return changed


def presence_store(redis_url: str | None, prefix: str) -> PresenceStore:
    """Redis-backed when the app has Redis (several processes), else in this process."""
    return RedisPresence(redis_url, prefix) if redis_url else LocalPresence()
