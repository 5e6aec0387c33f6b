"""The 比武打擂 page: the user's range (a province may pick a city), the chosen indicator and
unit kind, the movement column; 404 for accounts without a province or city range."""

from __future__ import annotations

from django.urls import reverse

from keyprojects.accounts import policy
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401  (the fixture)

URL = reverse("analytics:rankings")


def _rows(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-testid="ranking-row" data-key="')[1:]]


def test_city_ranks_its_counties(rw, client):  # noqa: F811
    client.force_login(rw.users.city)
    resp = client.get(URL, {"period": "2026-02"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert _rows(html) == ["370103", "370104", "370102", "370105"]
    assert "↑2" in html and "↓2" in html and "不适用" in html
    assert "未关账，数据可能变化" in html
    # ranked by 完成率, the rate is the ranked value, not a second identical column
    assert html.count('data-col="completion"') == 0 and html.count('data-col="value"') == 4
    resp = client.get(URL, {"period": "2026-02", "kind": "department", "indicator": "on_time_rate"})
    assert _rows(resp.content.decode()) == [str(rw.dept.pk)]
    assert resp.content.decode().count('data-col="completion"') == 1  # beside another indicator, the 完成率 column
    assert client.get(URL, {"period": "2026-02", "region": "370000"}).status_code == 404
    assert client.get(URL, {"period": "2031-01"}).status_code == 404


def test_province_ranks_cities_or_picks_a_city(rw, client):  # noqa: F811
    client.force_login(rw.users.province)
    html = client.get(URL, {"period": "2026-02"}).content.decode()
    assert _rows(html) == ["370200", "370100"]
    html = client.get(URL, {"period": "2026-02", "region": "370100", "indicator": "nonsense"}).content.decode()
    assert _rows(html) == ["370103", "370104", "370102", "370105"]  # unknown indicator: completion rate
    assert client.get(URL, {"region": "110000"}).status_code == 404  # not one of its cities
    assert client.get(URL).status_code == 200  # the latest period


def test_who_sees_rankings(rw, client):  # noqa: F811
    client.force_login(rw.users.leader)
    assert client.get(URL).status_code == 200
    html = client.get(reverse("projects:list")).content.decode()
    assert 'data-testid="nav-analysis"' in html
    for user in (rw.users.county, rw.users.department, rw.users.enterprise, rw.users.auditor, rw.users.sysadmin):
        client.force_login(user)
        resp = client.get(URL)
        assert resp.status_code == 403, user.username  # the role may not open it: the 403 page with its reason
        assert 'data-testid="forbidden-reason"' in resp.content.decode() or policy.is_administrator(user), user.username
        assert 'data-testid="nav-analysis"' not in client.get(reverse("projects:list")).content.decode()
