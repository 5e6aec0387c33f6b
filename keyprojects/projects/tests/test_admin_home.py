"""The three 三权分立 administrators never see business data: their home page names their own
tools (not a dashboard of zeros) and the top bar offers no business menu that would lead to an
empty page (UI tour: sysadmin, secadmin and auditor saw 项目库, 月调度, 包保领导, 企业, 数据)."""

from __future__ import annotations

import re

import pytest

BUSINESS_LINKS = ("/projects/", "/dispatch/", "/leaders/", "/enterprises/", "/dataio/")


def _nav(html: str) -> str:
    return re.search(r"<nav.*?</nav>", html, re.S).group(0)


@pytest.mark.parametrize(
    ("who", "tools"),
    [("sysadmin", ["/accounts/manage/", "/engagement/open311-keys/"]), ("secadmin", ["/accounts/manage/"]), ("auditor", ["/audit/"])],
)
def test_an_administrators_home_lists_their_tools_and_no_business_menu(client, world, who, tools):
    client.force_login(getattr(world.users, who))
    r = client.get("/")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="admin-home-note"' in html and "board" not in r.context
    for url in tools:
        assert f'href="{url}"' in html, url
    nav = _nav(html)
    assert not [u for u in BUSINESS_LINKS if f'href="{u}' in nav], nav


def test_business_users_keep_the_dashboard_and_the_menus(client, world):
    client.force_login(world.users.city)
    r = client.get("/")
    html = r.content.decode()
    assert "admin-home-note" not in html
    nav = _nav(html)
    assert all(f'href="{u}' in nav for u in BUSINESS_LINKS), nav


def test_whoami_of_an_administrator_has_no_empty_scope(client, world):
    """UI tour: the account menu read "系统管理员 · —" (administrators have no data scope)."""
    client.force_login(world.users.sysadmin)
    html = client.get("/").content.decode()
    whoami = re.search(r'data-testid="whoami">(.*?)</span>', html, re.S).group(1)
    assert "—" not in whoami and "系统管理员" in whoami
