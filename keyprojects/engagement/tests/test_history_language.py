"""A request's history is stored in Chinese whoever acted and in whatever language, and said in
the page's language (engagement.event_text)."""

from __future__ import annotations

import pytest
from django.utils import translation

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.engagement import event_text as text
from keyprojects.engagement.choices import EventKind
from keyprojects.engagement.models import EnterpriseRequest

pytestmark = pytest.mark.django_db


def test_a_request_raised_in_english_is_stored_in_chinese_and_said_in_each_language(compiled, eng, client):  # noqa: F811
    client.force_login(eng.users.enterprise)
    _switch_to_english(client)
    r = client.post("/engagement/new/", {"category": eng.factor.pk, "title": "电力增容", "description": "需增容2000千伏安"})
    assert r.status_code == 302
    req = EnterpriseRequest.objects.get(title="电力增容")
    notes = {e.kind: (e.note, e.actor_name) for e in req.events.all()}
    assert notes[EventKind.CREATED][0] == "企业提交"
    assert notes[EventKind.ROUTED] == ("按分办规则", "分办规则")
    page = client.get(f"/engagement/{req.pk}/").content.decode()
    assert "By the enterprise" in page and "By the routing rules" in page and "Routing rule" in page
    assert "企业提交" not in page and "分办规则" not in page
    client.cookies.pop("django_language", None)
    client.force_login(eng.users.enterprise)
    page = client.get(f"/engagement/{req.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "企业提交" in page and "按分办规则" in page and "By the enterprise" not in page


@pytest.mark.parametrize(
    ("kind", "stored", "english"),
    [
        (EventKind.ROUTED, text.DECLINED_BY.zh(unit="济南市发改委"), "济南市发改委 says it is not its responsibility"),
        (EventKind.REROUTED, text.REROUTED_FROM.zh(unit="市工信局", reason="属能源事项"), "Rerouted from 市工信局: 属能源事项"),
        (EventKind.EXTENSION_ASKED, text.EXTENSION_ASKED.zh(days=5, reason="需省级协调"), "Extension of 5 working days: 需省级协调"),
        (EventKind.EXTENSION_ASKED, text.EXTENSION_ASKED.zh(days=1, reason="x"), "Extension of 1 working day: x"),
        (EventKind.EXTENSION_APPROVED, text.EXTENDED_NOTE.zh(due="2026-03-02", note="同意"), "Answer by 2026-03-02. 同意"),
        (EventKind.EXTENSION_REJECTED, text.NOT_EXTENDED.zh(), "Extension refused"),
        (EventKind.RATED, text.RATED_REASON.zh(rating="不满意", reason="时间太长"), "Not satisfied: 时间太长"),
        (EventKind.CLOSED, text.NO_SECOND_REOPEN.zh(), "Reopened once already; not reopened again"),
        (EventKind.REPLIED, "已协调供电公司", "已协调供电公司"),  # people's words stay as written
    ],
)
def test_every_note_is_said_again_in_english(compiled, kind, stored, english):  # noqa: F811
    with translation.override("en"):
        assert text.note_shown(kind, stored) == english
    with translation.override("zh-hans"):
        assert text.note_shown(kind, stored) == stored
