"""A real server process serves the demo over HTTP."""

import json
import urllib.request


def test_live_server_serves_demo(live_server):
    [token] = live_server.token("p01@example.jp")
    request = urllib.request.Request(live_server.url + "/api/v1/me",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        body = json.load(response)
    assert body["cohorts"][0]["slug"] == "tokyo-dx-2021"
