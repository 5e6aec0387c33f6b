"""The month close page in English: the typed confirmation is explained in English (type the
period, which the close accepts as well as 确认关账), a refused close says what is open in
English, and a second close is refused in English; the Chinese page, the service's message and
the API keep the Chinese text."""

from __future__ import annotations

import re

import pytest

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import PeriodClosure
from keyprojects.dispatch.services import CloseNotConfirmed, period_close_check

from .test_views_review import messages_of
from .test_views_review_board import board  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
URL = "/dispatch/2026-02/board/close/"


def _form(html: str) -> str:
    return re.search(r'data-testid="close-form">(.*?)</form>', html, re.S).group(1)


def _label_and_help(html: str) -> str:
    form = _form(html)
    label = re.search(r'<label for="close-confirm"[^>]*>(.*?)</label>', form, re.S).group(1)
    help_text = re.search(r'id="close-confirm-help">(.*?)</div>', form, re.S).group(1)
    return f"{label} {help_text}"


def test_the_confirmation_is_explained_in_english(compiled, client, board):  # noqa: F811
    client.force_login(board.users.city)
    _switch_to_english(client)
    words = _label_and_help(client.get(URL).content.decode())
    assert "To close anyway, type the period “2026-02”" in words and "Typing the period (year-month" in words
    assert not CJK.search(words), words
    assert 'placeholder="2026-02"' in _form(client.get(URL).content.decode())
    resp = client.post(URL, {"confirm": "yes"})  # not what the close accepts
    error = re.search(r'data-testid="close-error">(.*?)</div>', resp.content.decode(), re.S).group(1)
    assert resp.status_code == 400 and not PeriodClosure.objects.exists()
    assert error.startswith("济南市 Feb 2026 still has open items: 1 not reported") and "To close anyway, type “2026-02”" in error
    assert not CJK.search(error.replace("济南市", "")), error
    resp = client.post(URL, {"confirm": "2026-02"}, follow=True)  # the period, as the English page says
    assert resp.redirect_chain[-1][0].startswith("/dispatch/2026-02/board/close/jobs/")
    assert PeriodClosure.objects.filter(period=board.p2, region_id="370100").exists()
    (refused,) = messages_of(client.post(URL, follow=True))
    assert refused == "Feb 2026 is already closed", refused


def test_the_chinese_page_and_the_service_are_unchanged(compiled, client, board):  # noqa: F811
    client.force_login(board.users.city)
    words = _label_and_help(client.get(URL).content.decode())
    assert "仍有未完成事项。确需关账，请输入调度期“2026-02”或“确认关账”：" in words
    with pytest.raises(CloseNotConfirmed) as caught:
        period_close_check(user=board.users.city, period=board.p2, confirm="yes")
    body = caught.value.as_dict()
    assert body["message"].startswith("济南市2026年2月仍有未完成事项：未报1个")
    assert body["message"].endswith("确需关账请输入“2026-02”或“确认关账”")
    assert body["extra"]["fields"] == {"confirm": ["请输入“2026-02”或“确认关账”"]}
    resp = client.post(URL, {"confirm": "确认关账"}, follow=True)  # the word still closes
    assert resp.redirect_chain[-1][0].startswith("/dispatch/2026-02/board/close/jobs/")
    assert "2026年2月已关账" in messages_of(client.post(URL, follow=True))[0]


def test_one_draft_is_one_draft_in_english(compiled, client, board):  # noqa: F811
    """The checklist's 未报 cell names its drafts: “(1 draft)”, “(2 drafts)” in English."""
    from keyprojects.dispatch.services import report_save
    from keyprojects.projects.models import Project

    city_project = Project.objects.get(name="济南市本级项目")
    report_save(user=board.users.city, project=city_project, period=board.p2, data={"invested_month": "10"})
    client.force_login(board.users.city)
    html = client.get(URL).content.decode()
    assert "（草稿1）" in html
    _switch_to_english(client)
    html = client.get(URL).content.decode()
    assert "(1 draft)" in html and "(1 drafts)" not in html
