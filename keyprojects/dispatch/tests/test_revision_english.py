"""A correction's refusals and a monthly report's field messages in the English UI (nothing to
correct, not the level above; not a number, negative) read in English; the Chinese page and the
service's message keep the Chinese text."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from keyprojects.core.errors import PermissionDenied
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import ReportRevision
from keyprojects.dispatch.services_revisions import revision_decide, revision_request

from .test_views_review import approved, messages_of

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_a_correction_is_refused_in_english_and_in_chinese_as_before(compiled, dw, client):  # noqa: F811
    jan = approved(dw, dw.projects.own_county, dw.p1, "100")
    client.force_login(dw.users.county)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resp = client.post(f"/dispatch/reports/{jan.pk}/revise/", {"reason": "核对", "invested_month": "100"})
    (said,) = messages_of(resp)
    assert said == "The correction is the same as the current values", said
    rev = revision_request(user=dw.users.county, report=jan, reason="误将2月数据计入1月", new_values={"invested_month": "80"})
    client.force_login(dw.users.city)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    (said,) = messages_of(client.post(f"/dispatch/revisions/{rev.pk}/decide/", {"decision": "approve"}, follow=True))
    assert said == "A correction must be decided by the level above" and not CJK.search(said)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    (said,) = messages_of(client.post(f"/dispatch/revisions/{rev.pk}/decide/", {"decision": "approve"}, follow=True))
    assert said == "更正须由上一级审定"
    with pytest.raises(PermissionDenied) as caught:
        revision_decide(user=dw.users.city, revision=rev, approve=True)
    assert caught.value.as_dict()["message"] == "更正须由上一级审定"
    assert ReportRevision.objects.get().status == "pending"


@pytest.mark.parametrize(
    ("fields", "field", "english", "chinese"),
    [
        ({"invested_month": "十万"}, "invested_month", "Enter a number (unit: 10k CNY)", "请输入数字（单位：万元）"),
        ({"invested_month": "-5"}, "invested_month", "Amounts must not be negative", "金额不能为负数"),
    ],
)
def test_bad_input_is_refused_in_english_at_the_field(compiled, dw, client, fields, field, english, chinese):  # noqa: F811
    from .test_views_fill import html, post_fill

    p = dw.projects.own_county
    client.force_login(dw.users.county)
    assert chinese in html(post_fill(client, dw.p1, p, **fields))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(post_fill(client, dw.p1, p, **fields))
    error = re.search(rf'data-testid="error-{field}"[^>]*>(.*?)</', page, re.S).group(1).strip()
    assert error == english and not CJK.search(error), error


def test_the_submitted_reports_card_names_the_submitter_as_submitted_by(compiled, dw, client):  # noqa: F811
    """The fill page's read-only card labels who submitted 提交人 / "Submitted by" (it was the
    button's verb, "Submit", in English)."""
    from .test_views_fill import fill_url, html, post_fill

    p = dw.projects.own_county
    client.force_login(dw.users.county)
    post_fill(client, dw.p1, p, action="submit", invested_month="100", physical_progress="基础施工")

    def label():
        page = html(client.get(fill_url(dw.p1, p)))
        return re.search(r'data-testid="ro-submitted-label">([^<]*)<', page).group(1)

    assert label() == "提交人"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert label() == "Submitted by"


def test_a_late_submission_is_said_with_the_pages_brackets(compiled, dw, client):  # noqa: F811
    """ "Submitted, awaiting review (Late report)" in English (it read "…review（Late report）"),
    "已提交，等待审核（迟报）" in Chinese."""
    from .test_views_fill import fill_url

    def submit(user, project, language):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        data = {"invested_month": "100", "physical_progress": "基础施工", "version": "0", "action": "submit"}
        (said,) = messages_of(client.post(fill_url(dw.p1, project), data, follow=True))
        return said

    assert submit(dw.users.county, dw.projects.own_county, "en") == "Submitted, awaiting review (Late report)"
    assert submit(dw.users.sibling, dw.projects.sibling_county, "zh-hans") == "已提交，等待审核（迟报）"


def test_a_grid_rows_conflict_is_said_with_the_pages_punctuation(compiled, dw, client):  # noqa: F811
    """The grid row's conflict lists the saved values in brackets of the page's language: "…
    (currently saved: …)" in English (it read "…（currently saved: …）"), as before in Chinese."""
    from keyprojects.dispatch.services import report_save

    from .test_views_fill_grid import save_row

    p = dw.projects.own_county
    report_save(user=dw.users.city, project=p, period=dw.p1, data={"invested_month": "88"})
    client.force_login(dw.users.county)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    row = save_row(client, dw.p1, p, version=0, invested_month="99").content.decode()
    assert " (currently saved: " in row and "（" not in row and "）" not in row, row
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    row = save_row(client, dw.p1, p, version=0, invested_month="99").content.decode()
    assert "（当前已保存：" in row


def test_the_grids_bulk_submission_is_said_with_the_pages_punctuation(compiled, dw, client):  # noqa: F811
    """The bulk submission's lines in English use English separators ("…: A, B"; "Not submitted:
    X: …"), not 、 and ：; the Chinese lines are as before."""
    from django.urls import reverse

    from keyprojects.dispatch.services import report_save

    city = dw.users.city
    good = report_save(user=city, project=dw.projects.own_county, period=dw.p1, data={"invested_month": "10"})
    also = report_save(user=city, project=dw.projects.sibling_county, period=dw.p1, data={"invested_month": "10"})
    bad = report_save(
        user=city, project=dw.projects.city_level, period=dw.p1, data={"invested_month": "10", "physical_progress_pct": "100"}
    )  # 100% without a start date: a hard check error
    client.force_login(city)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("dispatch:grid_submit", kwargs={"period": "2026-01"})
    chosen = [f"{r.pk}:{r.version}" for r in (good, also, bad)]
    lines = messages_of(client.post(url, {"report": chosen}, follow=True))
    names = [dw.projects.own_county.name, dw.projects.sibling_county.name]
    ok = next(line for line in lines if line.startswith("Submitted 2"))
    assert "、" not in ok and all(n in ok for n in names) and ", " in ok, ok
    failed = next(line for line in lines if line.startswith("Not submitted"))
    assert failed.startswith(f"Not submitted: {dw.projects.city_level.name}: ") and "：" not in failed, failed
