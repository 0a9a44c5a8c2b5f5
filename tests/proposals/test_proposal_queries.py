"""The comparison page and the list API run as many queries for 12 teams as for 5."""

from __future__ import annotations

from lms.teams.services import form_teams


def _counted(client, count_queries, url: str) -> int:
    assert client.get(url).status_code == 200  # creates missing proposals
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_proposal_comparison_and_list_queries_do_not_grow(client, db, demo, people, login_as,
                                                           count_queries):
    login_as(people.trainer)
    page, api = "/c/tokyo-dx-2021/proposals", "/api/v1/cohorts/tokyo-dx-2021/proposals"
    small = (_counted(client, count_queries, page), _counted(client, count_queries, api))
    form_teams(demo, 12)
    db.session.commit()
    large = (_counted(client, count_queries, page), _counted(client, count_queries, api))
    html = client.get(page).get_data(as_text=True)
    assert html.count('<th scope="row">') == 12
    assert large[0] <= small[0] and large[1] <= small[1], (small, large)
    assert small[0] <= 15
