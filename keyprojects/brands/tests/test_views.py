"""Pages: 200/403/404 per role, the enterprise's application from the form to the submission,
review, score and decision through the pages, the export and the result list."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.brands.models import BrandApplication
from keyprojects.brands.services import application_decide, application_review, application_score, round_advance

from .conftest import to_reviewing

pytestmark = pytest.mark.django_db

ADMINS = ("sysadmin", "secadmin", "auditor")


def login(client, user):
    client.force_login(user)
    return client


def test_pages_per_role(client, world, rnd, submitted):
    pages = [
        reverse("brands:rounds"),
        reverse("brands:results"),
        reverse("brands:round", args=[rnd.pk]),
        reverse("brands:export", args=[rnd.pk]),
        reverse("brands:application", args=[submitted.pk]),
    ]
    for role in ("province", "city", "county", "department", "enterprise", "leader", "superuser"):
        c = login(client, getattr(world.users, role))
        for url in pages:
            assert c.get(url).status_code == 200, (role, url)
        assert ('data-testid="nav-brands"' in c.get("/").content.decode()) is True
    for role in ADMINS:
        c = login(client, getattr(world.users, role))
        for url in pages:
            assert c.get(url).status_code == 403, (role, url)
        assert 'data-testid="nav-brands"' not in c.get("/").content.decode()
    for role in ("other_city", "sibling", "other_enterprise"):
        c = login(client, getattr(world.users, role))
        assert c.get(reverse("brands:application", args=[submitted.pk])).status_code == 404, role
    c = login(client, world.users.other_city)
    assert c.get(reverse("brands:round", args=[rnd.pk])).status_code == 404
    c = login(client, world.users.county)
    assert c.get(reverse("brands:round_new")).status_code == 403
    assert login(client, world.users.city).get(reverse("brands:round_new")).status_code == 200
    assert login(client, world.users.leader).get(reverse("brands:apply", args=[rnd.pk])).status_code == 403


def test_enterprise_applies_through_the_form(client, world, rnd):
    c = login(client, world.users.enterprise)
    page = c.get(reverse("brands:round", args=[rnd.pk])).content.decode()
    assert reverse("brands:apply", args=[rnd.pk]) in page
    form = c.get(reverse("brands:apply", args=[rnd.pk])).content.decode()
    assert 'name="enterprise"' not in form  # its own enterprise only
    data = {
        "category": "service",
        "brand_name": "泉城汽服",
        "trademark_no": "T-1",
        "trademark_valid_until": rnd.closes_on.isoformat(),
        "years_in_city": "2",
        "has_valid_trademark": "on",
        "is_cultivation_enterprise": "on",
        "has_quality_system": "on",
        "is_advanced": "on",
        "attachment": SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    }
    r = c.post(reverse("brands:apply", args=[rnd.pk]), data)
    app = BrandApplication.objects.get(round=rnd, enterprise=world.ent)
    assert r.status_code == 302 and app.status == "draft" and app.attachment_content_type == "application/pdf"
    assert c.get(reverse("brands:attachment", args=[app.pk])).status_code == 200
    r = c.post(reverse("brands:submit", args=[app.pk]), {"version": app.version})
    assert r.status_code == 400 and "满3年" in r.content.decode()  # 2 years: refused with the reason
    assert BrandApplication.objects.get(pk=app.pk).status == "draft"
    edit = {k: v for k, v in data.items() if k != "attachment"} | {"years_in_city": "4", "version": app.version}
    assert c.post(reverse("brands:application_edit", args=[app.pk]), edit).status_code == 302
    app.refresh_from_db()
    assert c.post(reverse("brands:submit", args=[app.pk]), {"version": app.version}).status_code == 302
    assert BrandApplication.objects.get(pk=app.pk).status == "submitted"
    # applied: the round offers its application instead of a new form
    assert c.get(reverse("brands:apply", args=[rnd.pk])).status_code == 302
    assert c.get(reverse("brands:application_edit", args=[app.pk])).status_code == 403


def test_a_second_tab_applying_again_keeps_what_was_typed_and_says_why(client, world, rnd):
    """The application form opened in two tabs: the first saves the draft; the second is not sent
    silently to that draft (losing what was typed) but shows its form again with the reason."""
    c = login(client, world.users.enterprise)
    data = {"category": "product", "brand_name": "第一个标签页", "years_in_city": "4"}
    assert c.post(reverse("brands:apply", args=[rnd.pk]), data).status_code == 302
    r = c.post(reverse("brands:apply", args=[rnd.pk]), {**data, "brand_name": "第二个标签页"})
    body = r.content.decode()
    assert r.status_code == 200 and "第二个标签页" in body and "每个品牌主体每年只能申报一个类别" in body
    assert list(BrandApplication.objects.filter(round=rnd).values_list("brand_name", flat=True)) == ["第一个标签页"]


def test_the_round_list_shows_the_enterprise_its_draft(client, world, rnd):
    """An enterprise that started its application sees it on the round list (1, and a link to it),
    not 0 and no way on; staff still count only submitted applications."""
    from keyprojects.brands.services import application_create

    from .conftest import good

    app = application_create(actor=world.users.enterprise, round=rnd, data=good())
    page = login(client, world.users.enterprise).get(reverse("brands:rounds")).content.decode()
    assert reverse("brands:application", args=[app.pk]) in page and 'data-testid="own-application"' in page
    assert '<td class="num">1</td>' in page
    page = login(client, world.users.city).get(reverse("brands:rounds")).content.decode()
    assert '<td class="num">0</td>' in page and 'data-testid="own-application"' not in page


def test_review_score_decide_through_the_pages(client, world, rnd, submitted):
    c = login(client, world.users.enterprise)
    assert 'data-testid="review-form"' not in c.get(reverse("brands:application", args=[submitted.pk])).content.decode()
    c = login(client, world.users.county)
    assert 'data-testid="review-form"' in c.get(reverse("brands:application", args=[submitted.pk])).content.decode()
    r = c.post(reverse("brands:review", args=[submitted.pk]), {"version": submitted.version, "decision": "return", "note": ""})
    assert r.status_code == 400 and "退回须说明理由" in r.content.decode()
    assert c.post(reverse("brands:review", args=[submitted.pk]), {"version": submitted.version, "decision": "pass"}).status_code == 302
    to_reviewing(world, rnd)
    app = BrandApplication.objects.get(pk=submitted.pk)
    c = login(client, world.users.city)
    assert c.post(reverse("brands:score", args=[app.pk]), {"version": app.version, "score": "88"}).status_code == 302
    app.refresh_from_db()
    page = c.get(reverse("brands:application", args=[app.pk])).content.decode()
    assert 'data-testid="decide-form"' not in page and 'data-testid="four-eyes"' in page  # the scorer does not decide
    c = login(client, world.users.province)
    r = c.post(reverse("brands:decide", args=[app.pk]), {"version": app.version, "decision": "select", "reward_amount": "12"})
    assert r.status_code == 400 and "不能超过10万元" in r.content.decode()
    r = c.post(reverse("brands:decide", args=[app.pk]), {"version": app.version, "decision": "select", "reward_amount": "9.5"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "selected" and str(app.reward_amount) == "9.5000"
    # the result list shows it once the round is published
    c = login(client, world.users.other_enterprise)
    assert "济南比亚迪" not in c.get(reverse("brands:results")).content.decode()
    rnd.refresh_from_db()
    rnd = round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="decided")
    round_advance(actor=world.users.city, round=rnd, expected_version=rnd.version, to_status="published")
    c = login(client, world.users.enterprise)
    assert "济南比亚迪" in c.get(reverse("brands:results")).content.decode()
    wb = load_workbook(io.BytesIO(c.get(reverse("brands:results") + "?format=xlsx").content))
    cells = [list(row) for row in wb.active.iter_rows(values_only=True)]
    assert any("济南比亚迪" in row and 9.5 in row for row in cells)


def test_round_steps_and_filters_on_the_round_page(client, world, rnd, submitted):
    c = login(client, world.users.city)
    page = c.get(reverse("brands:round", args=[rnd.pk])).content.decode()
    assert 'data-testid="round-step-reviewing"' in page and "济南比亚迪" in page
    assert "济南比亚迪" not in c.get(reverse("brands:round", args=[rnd.pk]), {"category": "service"}).content.decode()
    assert "济南比亚迪" in c.get(reverse("brands:round", args=[rnd.pk]), {"status": "submitted", "q": "比亚迪"}).content.decode()
    assert "济南比亚迪" not in c.get(reverse("brands:round", args=[rnd.pk]), {"status": "passed"}).content.decode()
    # a draft shows to whoever entered it, not to other staff
    from keyprojects.brands.services import application_create
    from keyprojects.core.testing import EnterpriseFactory

    from .conftest import good

    application_create(
        actor=world.users.city, round=rnd, enterprise=EnterpriseFactory(region_id="370103"), data=good(brand_name="代填草稿")
    )
    assert "代填草稿" in c.get(reverse("brands:round", args=[rnd.pk]), {"status": "draft"}).content.decode()
    assert "代填草稿" not in login(client, world.users.city_clerk).get(reverse("brands:round", args=[rnd.pk])).content.decode()
    c = login(client, world.users.city)
    step = {"version": rnd.version, "to_status": "reviewing", "confirm": "1"}  # early: confirmed (test_closing_early_asks_first)
    assert c.post(reverse("brands:round_step", args=[rnd.pk]), step).status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == "reviewing"
    c = login(client, world.users.leader)
    assert 'data-testid="round-step' not in c.get(reverse("brands:round", args=[rnd.pk])).content.decode()


def test_export_content_follows_scope_and_filters(client, world, rnd, submitted):
    app = application_review(actor=world.users.county, application=submitted, expected_version=submitted.version, passed=True)
    to_reviewing(world, rnd)
    app = application_score(actor=world.users.city, application=app, expected_version=app.version, score="90")
    application_decide(actor=world.users.province, application=app, expected_version=app.version, select=True, reward_amount="10")
    c = login(client, world.users.city)
    r = c.get(reverse("brands:export", args=[rnd.pk]))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0].endswith("申报情况") and "入选上限40个" in rows[1][0]
    data = [row for row in rows[3:] if row[0]]
    assert len(data) == 1 and data[0][1] == world.ent.name and data[0][2] == "济南比亚迪" and data[0][7] == "入选" and data[0][10] == 10
    # 申报时间 is the local day: 23:30 UTC is 07:30 the next morning in Jinan
    BrandApplication.objects.filter(pk=app.pk).update(submitted_at=dt.datetime(2026, 3, 15, 23, 30, tzinfo=dt.UTC))
    rows = list(load_workbook(io.BytesIO(c.get(reverse("brands:export", args=[rnd.pk])).content)).active.iter_rows(values_only=True))
    assert next(row for row in rows[3:] if row[0])[11] == dt.datetime(2026, 3, 16)
    r = c.get(reverse("brands:export", args=[rnd.pk]), {"category": "service"})
    assert [row for row in list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))[3:] if row[0]] == []


def test_round_page_queries_do_not_grow_with_applications(client, world, rnd, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keyprojects.brands.services import application_create, application_submit
    from keyprojects.core.testing import EnterpriseFactory

    from .conftest import good

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("brands:round", args=[rnd.pk])).status_code == 200
        return len(ctx.captured_queries)

    c = login(client, world.users.city)
    for _ in range(2):
        a = application_create(actor=world.users.county, round=rnd, enterprise=EnterpriseFactory(region_id="370102"), data=good())
        application_submit(actor=world.users.county, application=a, expected_version=a.version)
    count()  # warm up (session, content types)
    few = count()
    for _ in range(8):
        a = application_create(actor=world.users.county, round=rnd, enterprise=EnterpriseFactory(region_id="370102"), data=good())
        application_submit(actor=world.users.county, application=a, expected_version=a.version)
    assert count() == few
    with django_assert_max_num_queries(few):
        c.get(reverse("brands:rounds"))


def test_round_new_and_edit_pages(client, world):
    import datetime as dt

    from django.utils import timezone

    from keyprojects.brands.models import SelectionRound

    today = timezone.localdate()
    c = login(client, world.users.city)
    data = {
        "region": "370100",
        "year": today.year,
        "name": "第一批“泉城好品”品牌遴选",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=30)).isoformat(),
        "max_selected": "40",
        "reward_ceiling": "10",
    }
    r = c.post(reverse("brands:round_new"), data)
    rnd = SelectionRound.objects.get()
    assert r.status_code == 302 and rnd.status == "draft" and rnd.created_by == world.users.city
    bad = c.post(reverse("brands:round_new"), {**data, "name": "B", "region": "370200"})  # Qingdao is not Jinan's
    assert bad.status_code == 200 and SelectionRound.objects.count() == 1
    assert 'data-testid="round-edit"' in c.get(reverse("brands:round", args=[rnd.pk])).content.decode()
    edit = {k: v for k, v in data.items() if k not in ("region", "year")} | {"version": rnd.version, "max_selected": "35"}
    assert c.post(reverse("brands:round_edit", args=[rnd.pk]), edit).status_code == 302
    rnd.refresh_from_db()
    assert rnd.max_selected == 35
    stale = c.post(reverse("brands:round_edit", args=[rnd.pk]), edit)
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    assert login(client, world.users.leader).get(reverse("brands:round_edit", args=[rnd.pk])).status_code == 403
    assert login(client, world.users.other_city).get(reverse("brands:round_edit", args=[rnd.pk])).status_code == 404


def test_staff_apply_on_an_enterprise_behalf_from_the_round_region(client, world, rnd):
    c = login(client, world.users.province)
    form = c.get(reverse("brands:apply", args=[rnd.pk])).content.decode()
    assert world.ent.name in form and world.other_ent.name not in form  # Qingdao's enterprise is not offered for Jinan
    data = {
        "enterprise": world.ent.pk,
        "category": "product",
        "brand_name": "代报品牌",
        "trademark_no": "T-9",
        "trademark_valid_until": rnd.closes_on.isoformat(),
        "years_in_city": "6",
        "has_valid_trademark": "on",
        "is_cultivation_enterprise": "on",
        "has_quality_system": "on",
        "is_advanced": "on",
    }
    assert c.post(reverse("brands:apply", args=[rnd.pk]), data).status_code == 302
    app = BrandApplication.objects.get(round=rnd)
    assert app.enterprise == world.ent and app.created_by == world.users.province
    r = c.post(reverse("brands:apply", args=[rnd.pk]), {**data, "brand_name": "第二个"})  # one a year
    assert r.status_code == 200 and "只能申报一个类别" in r.content.decode()


def test_pages_in_english(client, world, rnd, submitted):
    from django.conf import settings

    c = login(client, world.users.city)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get(reverse("brands:round", args=[rnd.pk])).content.decode()
    assert "Close applications, start review" in page and "Open for applications" in page and "Trademark no." in page
    page = c.get(reverse("brands:application", args=[submitted.pk])).content.decode()
    assert "Owns a valid registered trademark" in page and "Preliminary review" in page


def test_the_rounds_list_says_whose_applications_it_counts(client, world, rnd, submitted):
    """An enterprise counts its own applications beside every round's selected ones: the column
    says 本企业申报 for it, 申报 for staff."""
    header = 'data-testid="applications-header">'
    html = login(client, world.users.enterprise).get(reverse("brands:rounds")).content.decode()
    assert header + "本企业申报<" in html
    html = login(client, world.users.city).get(reverse("brands:rounds")).content.decode()
    assert header + "申报<" in html


def test_closing_early_asks_first(client, world, rnd, submitted):
    """Closing the applications while the published window still runs shows a confirmation (the
    last day, the drafts) and changes nothing; the confirmed POST closes. Found in a user trial:
    one press closed a window that ran weeks longer."""

    from keyprojects.brands.services import application_create
    from keyprojects.core.testing import EnterpriseFactory

    from .conftest import good

    for _ in range(2):
        application_create(actor=world.users.county, round=rnd, enterprise=EnterpriseFactory(region_id="370102"), data=good())
    c = login(client, world.users.city)
    url = reverse("brands:round_step", args=[rnd.pk])
    r = c.post(url, {"version": rnd.version, "to_status": "reviewing"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="close-early-form"' in html
    assert rnd.closes_on.isoformat() in html and "提前 30 天" in html and "尚有 2 份申报为草稿" in html
    assert 'name="confirm" value="1"' in html and f'name="version" value="{rnd.version}"' in html
    rnd.refresh_from_db()
    assert rnd.status == "open"
    assert c.post(url, {"version": rnd.version, "to_status": "reviewing", "confirm": "1"}).status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == "reviewing"


def test_closing_on_the_last_day_asks_and_after_the_window_does_not(client, world, rnd):
    from django.utils import timezone

    from keyprojects.brands.models import SelectionRound

    c = login(client, world.users.city)
    url = reverse("brands:round_step", args=[rnd.pk])
    SelectionRound.objects.filter(pk=rnd.pk).update(closes_on=timezone.localdate())
    r = c.post(url, {"version": rnd.version, "to_status": "reviewing"})
    assert r.status_code == 200 and "今天是申报的最后一天" in r.content.decode() and "尚有 0 份申报为草稿" in r.content.decode()
    SelectionRound.objects.filter(pk=rnd.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    assert c.post(url, {"version": rnd.version, "to_status": "reviewing"}).status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == "reviewing"


def test_edit_inputs_show_amounts_as_typed_and_are_styled(client, world, rnd, submitted):
    """The reward (its round's ceiling, 10.0000 stored), the score (85.50) and the round's reward
    ceiling show as a person types them (10, 85.5); the score input is a styled form-control
    (found in a user trial: 10.0000 and an unstyled score box)."""
    import re

    app = application_review(actor=world.users.county, application=submitted, expected_version=submitted.version, passed=True)
    to_reviewing(world, rnd)
    c = login(client, world.users.city)
    page = c.get(reverse("brands:application", args=[app.pk])).content.decode()
    (score,) = re.findall(r'<input[^>]*name="score"[^>]*>', page)
    assert "form-control" in score and 'value="' not in score
    app = application_score(actor=world.users.city, application=app, expected_version=app.version, score="85.50")
    page = c.get(reverse("brands:application", args=[app.pk])).content.decode()
    (score,) = re.findall(r'<input[^>]*name="score"[^>]*>', page)
    assert 'value="85.5"' in score and "form-control" in score
    page = login(client, world.users.province).get(reverse("brands:application", args=[app.pk])).content.decode()
    (reward,) = re.findall(r'<input[^>]*name="reward_amount"[^>]*>', page)
    assert 'value="10"' in reward and "form-control" in reward
    # a refused decision shows the typed value back as typed
    r = client.post(reverse("brands:decide", args=[app.pk]), {"version": app.version, "decision": "select", "reward_amount": "12.50"})
    (reward,) = re.findall(r'<input[^>]*name="reward_amount"[^>]*>', r.content.decode())
    assert r.status_code == 400 and 'value="12.50"' in reward


def test_the_round_edit_page_shows_the_reward_ceiling_as_typed(client, world):
    import re

    from django.utils import timezone

    from keyprojects.brands.services import round_create
    from keyprojects.regions.models import Region

    today = timezone.localdate()
    rnd = round_create(
        actor=world.users.city,
        region=Region.objects.get(code="370100"),
        year=today.year,
        name="第二批",
        opens_on=today,
        closes_on=today + dt.timedelta(days=30),
        reward_ceiling="10.5",
    )
    page = login(client, world.users.city).get(reverse("brands:round_edit", args=[rnd.pk])).content.decode()
    assert re.search(r'<input[^>]*name="reward_ceiling"[^>]*value="10.5"', page) and "10.5000" not in page
