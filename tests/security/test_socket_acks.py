"""Every Socket.IO event is answered (issue 14): bad payloads, out-of-range ids, NUL and
handlers that fail all get an error ack, never silence; on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.extensions import db, socketio

SLUG = "tokyo-dx-2021"


@pytest.fixture
def sock(backend_app, bearer):
    """A Socket.IO test client of p01 (token identity), and p01's cohort channel id."""
    token = bearer()["Authorization"].split()[1]
    client = socketio.test_client(backend_app, auth={"token": token})
    assert client.is_connected()
    channels = backend_app.test_client().get(
        f"/api/v1/cohorts/{SLUG}/channels", headers=bearer()).get_json()
    channel_id = next(c["id"] for c in channels if c["kind"] == "cohort")
    yield client, channel_id
    client.disconnect()


def _ack(client, event, *args):
    answer = client.emit(event, *args, callback=True)
    assert isinstance(answer, dict), f"{event} {args!r} got no ack"
    return answer


def _refused(answer, code=None):
    assert answer["ok"] is False, answer
    if code:
        assert answer["error"]["code"] == code, answer
    assert not answer["error"]["message"].isascii()
    return answer["error"]


def _messages() -> int:
    from lms.channels.models import Message

    return db.session.scalar(select(func.count()).select_from(Message))


def test_send_with_nul_or_surrogate_is_answered_and_stores_nothing(sock):
    client, channel = sock
    before = _messages()
    error = _refused(_ack(client, "send", {"channel_id": channel, "body": "a\x00b",
                                           "client_msg_id": str(uuid.uuid4())}), "invalid")
    assert "NUL" in error["message"]
    _refused(_ack(client, "send", {"channel_id": channel, "body": "\ud800",
                                   "client_msg_id": str(uuid.uuid4())}), "invalid")
    assert _messages() == before
    ok = _ack(client, "send", {"channel_id": channel, "body": "こんにちは",
                               "client_msg_id": str(uuid.uuid4())})
    assert ok["ok"] is True and ok["message"]["body"] == "こんにちは"


def test_join_with_huge_ids_and_wrong_shapes_is_answered(sock):
    client, channel = sock
    _refused(_ack(client, "join", {"channel_id": 2**40}), "invalid")
    _refused(_ack(client, "join", {"channel_id": 2**70}), "invalid")
    _refused(_ack(client, "send", {"channel_id": channel, "body": "x",
                                   "client_msg_id": "a", "parent_id": 2**40}), "invalid")
    _refused(_ack(client, "join", "not an object"), "bad_request")
    deep: list = [1]
    for _ in range(40):
        deep = [deep]
    _refused(_ack(client, "join", {"channel_id": deep}), "bad_request")
    _refused(_ack(client, "join", {"channel_id": 1}, {"extra": "argument"}))
    _refused(_ack(client, "join"))
    assert _ack(client, "join", {"channel_id": channel}) == {"ok": True}


def test_a_handler_that_fails_still_answers(sock, monkeypatch):
    from lms.channels import services

    client, channel = sock

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "post_message", broken)
    error = _refused(_ack(client, "send", {"channel_id": channel, "body": "x",
                                           "client_msg_id": str(uuid.uuid4())}),
                     "server_error")
    assert "サーバー" in error["message"]


# Payloads as a careless or hostile client sends them: any JSON value, and objects with the
# real keys holding any JSON value.
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
_payload = _json | st.fixed_dictionaries(
    {}, optional={"channel_id": _json, "body": _json, "client_msg_id": _json,
                  "parent_id": _json, "retro_id": _json, "proposal_id": _json})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(event=st.sampled_from(["join", "leave", "send"]), payload=_payload)
def test_every_event_acks_whatever_the_payload(sock, event, payload):
    client, _channel = sock
    answer = _ack(client, event, payload)
    assert answer.get("ok") in (True, False)
    if answer["ok"] is False:
        assert answer["error"]["code"] != "server_error", (event, payload, answer)


def _registered_events() -> list[tuple[str, str]]:
    """(namespace, event) for every client event a namespace of the app handles."""
    events = []
    for namespace, handler in sorted(socketio.server.namespace_handlers.items()):
        for name in dir(handler):
            if name.startswith("on_") and name not in ("on_connect", "on_disconnect") \
                    and callable(getattr(handler, name)):
                events.append((namespace, name[3:]))
    return events


@pytest.fixture
def sockets(backend_app, bearer):
    """p01 connected to every namespace with a token."""
    token = bearer()["Authorization"].split()[1]
    namespaces = sorted(socketio.server.namespace_handlers)
    client = socketio.test_client(backend_app, auth={"token": token}, namespace="/")
    for namespace in namespaces:
        if namespace != "/":
            client.connect(namespace=namespace, auth={"token": token})
        assert client.is_connected(namespace), namespace
    yield client
    client.disconnect()


def _ack_on(client, namespace, event, *args):
    answer = client.emit(event, *args, callback=True, namespace=namespace)
    assert isinstance(answer, dict), f"{namespace} {event} {args!r} got {answer!r}, not an answer"
    assert answer.get("ok") in (True, False), answer
    if answer["ok"] is False:
        assert answer["error"]["code"] != "server_error", (namespace, event, args, answer)
        assert not answer["error"]["message"].isascii(), answer
    return answer


def test_the_app_registers_the_events_the_contract_names(backend_app):
    events = _registered_events()
    assert {("/", "join"), ("/", "leave"), ("/", "send"), ("/retros", "retro_join")} <= set(events)


_MALFORMED = [(), ("not an object",), (None,), ([1, 2],), ({},), ({"retro_id": "x"},),
              ({"channel_id": 2**40, "proposal_id": 2**40, "retro_id": 2**40},),
              ({"channel_id": "a\x00b"},), ({"x": 1}, {"y": 2}), (2**70,)]


@pytest.mark.parametrize("args", _MALFORMED, ids=repr)
def test_every_registered_event_answers_malformed_arguments(sockets, args):
    for namespace, event in _registered_events():
        _ack_on(sockets, namespace, event, *args)


@pytest.mark.parametrize("event", ["nope", "connect", "disconnect", "connect_error",
                                   "JOIN", "__class__", "on_join", "a\x00b", ""])
def test_an_event_without_a_handler_gets_an_error_ack(sockets, event):
    """No handler (or a lifecycle name a client must not trigger): an error, not silence."""
    for namespace in sorted(socketio.server.namespace_handlers):
        answer = _ack_on(sockets, namespace, event, {"channel_id": 1})
        assert answer["ok"] is False and answer["error"]["code"] == "unknown_event", answer
    # The socket is still connected and still itself: `disconnect` did not end it and
    # `connect` did not re-identify it.
    assert sockets.is_connected("/")
    assert _ack_on(sockets, "/", "leave", {"channel_id": 1}) == {"ok": True}


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), payload=_payload,
       extra=st.lists(_json, max_size=2))
def test_every_registered_event_acks_whatever_the_payload(sockets, data, payload, extra):
    namespace, event = data.draw(st.sampled_from(_registered_events()))
    _ack_on(sockets, namespace, event, payload, *extra)


def test_the_error_ack_never_turns_a_refused_connection_into_an_open_one(backend_app):
    """The catch-all answer applies to events; a refused connect stays refused."""
    for auth in (None, {"token": "lms_not-a-token"}, {"token": "a\x00b"}):
        client = socketio.test_client(backend_app, auth=auth)
        assert not client.is_connected(), auth
