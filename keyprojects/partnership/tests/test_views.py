"""Pages: scope (404 outside, 403 for administrators), recording an agreement with commitments,
recording and confirming fulfilment with an evidence file, the profile page, exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from keyprojects.partnership.choices import CommitmentStatus
from keyprojects.partnership.models import Agreement, AssistanceMeasure, EnterpriseLiaison, PolicyGrant

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_enterprise_sees_only_its_own_profile_and_agreements(client, world, deal, other_deal):
    c = login(client, world.users.enterprise)
    assert c.get(reverse("partnership:profile", args=[world.ent.pk])).status_code == 200
    assert c.get(reverse("partnership:profile", args=[world.other_ent.pk])).status_code == 404
    assert c.get(reverse("partnership:detail", args=[deal.pk])).status_code == 200
    assert c.get(reverse("partnership:detail", args=[other_deal.pk])).status_code == 404
    page = c.get(reverse("partnership:list")).content.decode()
    assert deal.title in page and other_deal.title not in page
    profiles = c.get(reverse("partnership:profiles")).content.decode()
    assert world.other_ent.name not in profiles


def test_region_scope_and_administrators(client, world, deal, other_deal):
    c = login(client, world.users.sibling)  # 市中区 does not see 历下区's agreement
    assert c.get(reverse("partnership:detail", args=[deal.pk])).status_code == 404
    c = login(client, world.users.other_city)
    assert c.get(reverse("partnership:profile", args=[world.ent.pk])).status_code == 404
    for admin in (world.users.sysadmin, world.users.secadmin, world.users.auditor):
        c = login(client, admin)
        for name, args in (
            ("list", []),
            ("alerts", []),
            ("rates", []),
            ("profiles", []),
            ("profile", [world.ent.pk]),
            ("detail", [deal.pk]),
        ):
            assert c.get(reverse(f"partnership:{name}", args=args)).status_code == 403, (admin, name)


def test_city_records_agreement_with_commitments(client, world):
    c = login(client, world.users.city)
    assert c.get(reverse("partnership:new")).status_code == 200
    data = {
        "title": "新能源零部件合作协议",
        "enterprise": world.ent.pk,
        "region": "370102",
        "signatory_unit": world.dept.pk,
        "signed_on": "2026-03-01",
        "amount": "12000",
        "c-TOTAL_FORMS": "2",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "30",
        "c-0-party": "government",
        "c-0-kind": "subsidy",
        "c-0-description": "兑现设备补贴300万元",
        "c-0-target_value": "300",
        "c-0-due_on": "2026-12-31",
        "c-0-owner_unit": world.dept.pk,
    }
    r = c.post(reverse("partnership:new"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    a = Agreement.objects.get(title="新能源零部件合作协议")
    assert a.commitments.count() == 1 and a.commitments.get().measure == "万元"
    # a wrong pairing is refused with a Chinese message at the commitment's field, nothing saved
    data.update({"title": "错误协议", "c-0-party": "enterprise"})
    r = c.post(reverse("partnership:new"), data)
    assert r.status_code == 200 and "承诺类别与承诺方不符" in r.content.decode()
    assert not Agreement.objects.filter(title="错误协议").exists()
    # enterprises and leaders may not record
    assert login(client, world.users.enterprise).get(reverse("partnership:new")).status_code == 403
    assert login(client, world.users.leader).get(reverse("partnership:new")).status_code == 403


def test_claim_with_file_then_confirm_by_another(client, world, deal):
    ent = deal.commitments.get(party="enterprise")
    c = login(client, world.users.enterprise)
    page = c.get(reverse("partnership:detail", args=[deal.pk])).content.decode()
    assert page.count('data-testid="claim-form"') == 1  # only its own side's commitment
    pdf = SimpleUploadedFile("审计报告.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    r = c.post(
        reverse("partnership:claim", args=[ent.pk]),
        {"version": ent.version, "result": "fulfilled", "achieved_value": "52000", "evidence_text": "审计报告", "evidence_file": pdf},
    )
    assert r.status_code == 302
    ent.refresh_from_db()
    assert ent.status == CommitmentStatus.CLAIMED
    r = c.get(reverse("partnership:evidence", args=[ent.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert login(client, world.users.other_enterprise).get(reverse("partnership:evidence", args=[ent.pk])).status_code == 404
    # the city confirms
    c = login(client, world.users.city)
    r = c.post(reverse("partnership:confirm", args=[ent.pk]), {"version": ent.version, "decision": "accept"})
    assert r.status_code == 302
    ent.refresh_from_db()
    assert ent.status == CommitmentStatus.FULFILLED


def test_claimer_sees_no_confirm_button_and_is_refused(client, world, deal):
    gov = deal.commitments.get(party="government")
    c = login(client, world.users.county)
    c.post(reverse("partnership:claim", args=[gov.pk]), {"version": gov.version, "result": "fulfilled", "evidence_text": "已交地"})
    gov.refresh_from_db()
    assert gov.status == CommitmentStatus.CLAIMED
    assert 'data-testid="confirm-form"' not in c.get(reverse("partnership:detail", args=[deal.pk])).content.decode()
    r = c.post(reverse("partnership:confirm", args=[gov.pk]), {"version": gov.version, "decision": "accept"}, follow=True)
    assert "四眼原则" in r.content.decode()
    gov.refresh_from_db()
    assert gov.status == CommitmentStatus.CLAIMED
    c = login(client, world.users.city)
    assert 'data-testid="confirm-form"' in c.get(reverse("partnership:detail", args=[deal.pk])).content.decode()


def test_stale_claim_is_a_conflict(client, world, deal):
    gov = deal.commitments.get(party="government")
    c = login(client, world.users.county)
    r = c.post(reverse("partnership:claim", args=[gov.pk]), {"version": 99, "result": "fulfilled", "evidence_text": "x"}, follow=True)
    assert "已被他人修改" in r.content.decode()


def test_profile_keeps_liaison_measures_grants(client, world, deal):
    c = login(client, world.users.city)
    url = reverse("partnership:profile", args=[world.ent.pk])
    page = c.get(url).content.decode()
    assert "比亚迪零部件项目投资合作协议" in page and "历下区项目" in page
    r = c.post(reverse("partnership:liaison", args=[world.ent.pk]), {"l-official": world.users.county.pk, "l-title": "副区长"})
    assert r.status_code == 302
    assert EnterpriseLiaison.objects.get(enterprise=world.ent).official == world.users.county
    # a change needs the version seen
    r = c.post(reverse("partnership:liaison", args=[world.ent.pk]), {"l-official": world.users.city.pk, "l-version": "1"})
    assert r.status_code == 302
    r = c.post(reverse("partnership:liaison", args=[world.ent.pk]), {"l-official": world.users.county.pk, "l-version": "1"})
    assert r.status_code == 400 and "已被他人修改" in r.content.decode()
    # an enterprise contact cannot be a liaison
    r = c.post(reverse("partnership:liaison", args=[world.ent.pk]), {"l-official": world.users.enterprise.pk, "l-version": "2"})
    assert r.status_code == 400
    r = c.post(
        reverse("partnership:measure_add", args=[world.ent.pk]),
        {"m-measure": "协调电力增容", "m-unit": world.dept.pk, "m-taken_on": "2026-02-01", "m-result": "已送电"},
    )
    assert r.status_code == 302 and AssistanceMeasure.objects.filter(enterprise=world.ent).count() == 1
    r = c.post(
        reverse("partnership:grant_add", args=[world.ent.pk]), {"g-name": "技改补贴", "g-amount": "150.5", "g-granted_on": "2026-03-01"}
    )
    assert r.status_code == 302 and PolicyGrant.objects.get().amount == 150.5
    page = c.get(url).content.decode()
    assert "协调电力增容" in page and "技改补贴" in page and "150.50" in page
    # the enterprise reads its profile but keeps nothing
    e = login(client, world.users.enterprise)
    assert "技改补贴" in e.get(url).content.decode()
    assert (
        e.post(
            reverse("partnership:grant_add", args=[world.ent.pk]), {"g-name": "x", "g-amount": "1", "g-granted_on": "2026-03-01"}
        ).status_code
        == 403
    )


def _sheet_rows(content: bytes, sheet: int = 0) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return list(wb.worksheets[sheet].iter_rows(values_only=True))


def test_exports(client, world, deal, other_deal):
    c = login(client, world.users.city)
    r = c.get(reverse("partnership:export") + "?q=比亚迪")
    assert r.status_code == 200
    rows = _sheet_rows(r.content)
    assert any(row[1] == deal.title for row in rows) and not any(row[1] == other_deal.title for row in rows)
    r = c.get(reverse("partnership:rates") + "?as_of=2026-07-01&format=xlsx")
    rows = _sheet_rows(r.content)
    assert rows[-1][0] == "合计" and rows[-1][2] == 1 and rows[-1][8] == 0
    r = c.get(reverse("partnership:alerts") + "?days=400&format=xlsx")
    assert r.status_code == 200
    r = c.get(reverse("partnership:profiles") + "?format=xlsx")
    assert any(row[1] == world.ent.name for row in _sheet_rows(r.content))


def test_pages_render(client, world, deal):
    c = login(client, world.users.province)
    for name in ("list", "alerts", "rates", "profiles"):
        assert c.get(reverse(f"partnership:{name}")).status_code == 200
    assert c.get(reverse("partnership:list") + "?q=比亚迪&page=2").status_code == 200
    assert c.get(reverse("partnership:alerts") + "?days=abc").status_code == 200
    assert c.get(reverse("partnership:rates") + "?as_of=nonsense").status_code == 200
    assert c.get(reverse("partnership:edit", args=[deal.pk])).status_code == 200
    r = c.post(
        reverse("partnership:edit", args=[deal.pk]),
        {"version": 1, "title": "改名", "signatory_unit": world.dept.pk, "signed_on": "2026-01-15", "amount": "1"},
    )
    assert r.status_code == 302
    deal.refresh_from_db()
    assert deal.title == "改名"
    today = timezone.localdate()
    r = c.post(
        reverse("partnership:commitment_new", args=[deal.pk]),
        {"new-party": "government", "new-kind": "approval", "new-description": "环评批复", "new-due_on": today.isoformat()},
    )
    assert r.status_code == 302 and deal.commitments.count() == 3


def test_edits_without_the_version_are_refused_in_chinese(client, world, deal):
    """Every edit form sends the version it was rendered with; one posted without it is refused
    at the form (no silent overwrite), one with a stale version gets the conflict message."""
    c = login(client, world.users.city)
    edit = reverse("partnership:edit", args=[deal.pk])
    base = {"title": "新名称", "signatory_unit": world.dept.pk, "signed_on": "2026-01-10", "amount": "100"}
    r = c.post(edit, base)
    assert r.status_code == 200 and "缺少版本号，请刷新页面后重试" in r.content.decode()
    r = c.post(edit, {**base, "version": deal.version + 3})
    assert "已被他人修改" in r.content.decode()
    assert Agreement.objects.get(pk=deal.pk).title != "新名称"
    r = c.post(edit, {**base, "version": deal.version})
    assert r.status_code == 302 and Agreement.objects.get(pk=deal.pk).title == "新名称"
    # an agreement's commitment confirmation and claim need it too
    gov = deal.commitments.get(party="government")
    r = c.post(reverse("partnership:claim", args=[gov.pk]), {"result": "fulfilled", "evidence_text": "x"})
    assert r.status_code == 400 and "缺少版本号" in r.content.decode()


def test_measure_and_liaison_edits_need_the_version(client, world, deal):
    c = login(client, world.users.city)
    c.post(
        reverse("partnership:measure_add", args=[world.ent.pk]),
        {"m-measure": "协调电力增容", "m-unit": world.dept.pk, "m-taken_on": "2026-02-01", "m-result": "已送电"},
    )
    m = AssistanceMeasure.objects.get(enterprise=world.ent)
    url = reverse("partnership:measure_edit", args=[m.pk])
    data = {"measure": "协调电力增容（二期）", "unit": world.dept.pk, "taken_on": "2026-02-01", "result": "已送电"}
    r = c.post(url, data)
    assert r.status_code == 200 and "缺少版本号，请刷新页面后重试" in r.content.decode()
    r = c.post(url, {**data, "version": m.version + 1})
    assert "已被他人修改" in r.content.decode()
    assert AssistanceMeasure.objects.get(pk=m.pk).measure == "协调电力增容"
    r = c.post(url, {**data, "version": m.version})
    assert r.status_code == 302 and AssistanceMeasure.objects.get(pk=m.pk).measure == "协调电力增容（二期）"
    # a liaison exists: a form without a version (it saw none) is a conflict, not an overwrite
    liaison = reverse("partnership:liaison", args=[world.ent.pk])
    assert c.post(liaison, {"l-official": world.users.county.pk}).status_code == 302
    r = c.post(liaison, {"l-official": world.users.city.pk})
    assert r.status_code == 400 and "已被他人修改" in r.content.decode()
    assert EnterpriseLiaison.objects.get(enterprise=world.ent).official == world.users.county


def test_rates_page_of_an_earlier_day_ignores_later_confirmations(client, world, deal):
    """The land commitment (due 2026-06-30) recorded and confirmed today through the pages: the
    履约率 page counts it kept today, and as it was (逾期未履行) on 2026-07-01."""
    gov = deal.commitments.get(party="government")
    d = login(client, world.users.department)
    d.post(reverse("partnership:claim", args=[gov.pk]), {"version": gov.version, "result": "fulfilled", "evidence_text": "已交地"})
    gov.refresh_from_db()
    c = login(client, world.users.city)
    c.post(reverse("partnership:confirm", args=[gov.pk]), {"version": gov.version, "decision": "accept"})
    gov.refresh_from_db()
    assert gov.status == CommitmentStatus.FULFILLED
    totals = {}
    for day in ("2026-07-01", ""):
        r = c.get(reverse("partnership:rates"), {"as_of": day} if day else {})
        t = r.context["total"]
        totals[day] = (t.due, t.kept, t.overdue, str(t.rate_percent))
    assert totals == {"2026-07-01": (1, 0, 1, "0.00"), "": (1, 1, 0, "100.00")}
    rows = _sheet_rows(c.get(reverse("partnership:rates"), {"as_of": "2026-07-01", "format": "xlsx"}).content)
    assert rows[-1][0] == "合计" and rows[-1][2:4] == (1, 0)


def test_profile_and_agreement_in_english_have_no_chinese_punctuation(client, world, deal):
    """In English the labels' full-width colons and brackets (政府承诺：…, 政策兑现（合计 …）) read
    as ": " and " (…)"; in Chinese they stay full-width."""
    import re

    from django.conf import settings

    c = login(client, world.users.city)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (reverse("partnership:profile", args=[world.ent.pk]), reverse("partnership:detail", args=[deal.pk])):
        main = c.get(url).content.decode().split("<main", 1)[1].split("</main>", 1)[0]
        text = re.sub(r"<[^>]+>", "", main).replace(world.ent.name, "")  # names keep their own brackets
        assert not re.search("[：（），]", text), (url, re.findall(".{0,40}[：（），].{0,20}", text, re.S))
    text = re.sub(r"<[^>]+>", "", c.get(reverse("partnership:profile", args=[world.ent.pk])).content.decode())
    assert "Government commitments: " in text and "Policies granted (Total 0.00 10k CNY)" in text
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    text = re.sub(r"<[^>]+>", "", c.get(reverse("partnership:profile", args=[world.ent.pk])).content.decode())
    assert "政府承诺：" in text and "政策兑现（合计 0.00 万元）" in text


def test_the_list_narrows_by_a_region_chosen_by_name(client, world, deal, other_deal):
    """The region filter is a list of names (the regions of the user's agreements and their
    cities), not a box asking for a six-digit code."""
    import re

    c = login(client, world.users.province)
    body = c.get(reverse("partnership:list")).content.decode()
    select = re.search(r'<select[^>]*name="region"[^>]*>(.*?)</select>', body, re.S)
    assert select and 'inputmode="numeric"' not in body
    options = dict(re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select.group(1)))
    assert options == {"": "全部区域", "370100": "济南市", "370102": "　历下区", "370200": "青岛市", "370202": "　市南区"}
    body = c.get(reverse("partnership:list") + "?region=370100").content.decode()
    assert deal.title in body and other_deal.title not in body
    assert '<option value="370100" selected>' in body
    c = login(client, world.users.city)
    options = re.findall(r'<option value="(\d+)"', c.get(reverse("partnership:list")).content.decode())
    assert options == ["370100", "370102"]  # Qingdao's agreement is not Jinan's to see


def test_the_edit_form_refuses_a_signing_date_after_a_commitment_falls_due(client, world, deal):
    """The service's check (``services._signing_after_commitments``) reaches the form: the
    commitment is named under 签订日期 and nothing is saved."""
    first = deal.commitments.order_by("due_on", "id").first()
    late = first.due_on + dt.timedelta(days=1)
    c = login(client, world.users.city)
    r = c.post(
        reverse("partnership:edit", args=[deal.pk]),
        {"version": deal.version, "title": deal.title, "signatory_unit": world.dept.pk, "signed_on": late.isoformat(), "amount": "1"},
    )
    page = r.content.decode()
    assert r.status_code in (200, 400) and "签订日期不能晚于承诺" in page and first.description[:10] in page
    assert Agreement.objects.get(pk=deal.pk).signed_on == deal.signed_on


def test_an_achieved_value_far_above_its_target_is_kept_and_said(client, world, deal):
    """部分履行 with 20,000 against a target of 800 万元 (元 typed as 万元?): recorded, but said beside
    the field (as typed, on the form) and beside the recorded value, in Chinese and English."""
    from keyprojects.partnership.services import commitment_add

    com = commitment_add(
        actor=world.users.city,
        agreement=deal,
        data={
            "party": "enterprise",
            "kind": "investment",
            "description": "引进配套投资",
            "target_value": "800",
            "measure": "万元",
            "due_on": dt.date(2027, 6, 30),
        },
    )
    c = login(client, world.users.enterprise)
    page = c.get(reverse("partnership:detail", args=[deal.pk])).content.decode()
    form = page.split(f'action="{reverse("partnership:claim", args=[com.pk])}"', 1)[1].split("</form>", 1)[0]
    assert 'data-kp-slip-target="800' in form and 'data-kp-slip-factor="10"' in form
    assert 'data-kp-slip-text="实际完成值是目标值的{n}倍，请核实单位是否为万元"' in form
    sent = {"version": com.version, "result": "partial", "achieved_value": "20000", "evidence_text": ""}
    r = c.post(reverse("partnership:claim", args=[com.pk]), sent)  # refused for the missing evidence: said as sent
    assert r.status_code == 400
    assert "实际完成值是目标值的25倍，请核实单位是否为万元" in r.content.decode().split('data-testid="claim-achieved-warning"', 1)[1][:200]
    r = c.post(reverse("partnership:claim", args=[com.pk]), {**sent, "evidence_text": "验资报告"})
    assert r.status_code == 302  # allowed: the figure may be true
    com.refresh_from_db()
    assert com.status == CommitmentStatus.CLAIMED and com.claimed_result == "partial" and com.achieved_value == 20000
    page = c.get(reverse("partnership:detail", args=[deal.pk])).content.decode()
    assert page.count('data-testid="achieved-warning"') == 1
    assert "实际完成值是目标值的25倍，请核实单位是否为万元" in page
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get(reverse("partnership:detail", args=[deal.pk])).content.decode()
    assert "The achieved value is 25 times the target: check that the unit is 10k CNY" in page


def test_an_achieved_value_near_its_target_is_not_said(client, world, deal):
    ent = deal.commitments.get(party="enterprise")  # target 50000
    c = login(client, world.users.enterprise)
    c.post(
        reverse("partnership:claim", args=[ent.pk]),
        {"version": ent.version, "result": "fulfilled", "achieved_value": "52000", "evidence_text": "审计报告"},
    )
    page = c.get(reverse("partnership:detail", args=[deal.pk])).content.decode()
    assert 'data-testid="achieved-warning"' not in page and "请核实单位" not in page
