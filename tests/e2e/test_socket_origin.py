"""Another site's page cannot open a Socket.IO connection with a user's cookie."""

from __future__ import annotations

import pytest
import socketio


def test_foreign_origin_is_refused_and_own_origin_accepted(live_server):
    [token] = live_server.token("p01@example.jp")
    foreign = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(live_server.url, auth={"token": token}, transports=["polling"],
                        headers={"Origin": "https://evil.example"}, wait_timeout=5)
    own = socketio.Client(reconnection=False)
    own.connect(live_server.url, auth={"token": token}, transports=["polling"],
                headers={"Origin": live_server.url}, wait_timeout=5)
    assert own.connected
    own.disconnect()
