"""通报: the Word document read back with python-docx (title, summary figures equal the metrics,
ranking and lagging tables, warnings, Chinese fonts), the same tables in xlsx read back with
openpyxl, the management command, and who may download what.

February in the ranking world (``rw``, see test_rankings), closed for the province:
  济南 1200 / 3500 = 34.29%, 青岛 450 / 900 = 50%; province 1650 / 4400 = 37.50%,
  序时进度 16.67% → 超序时进度20.83个百分点.
  Behind by more than 10 points: 历下 25% (+8.33, no), 天桥 (no plan, no), the 济南市本级
  project 0% (−16.67, but it did not report: 未报, so not lagging; 起步区 zone, no unit).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import RGBColor
from openpyxl import load_workbook

from keyprojects.analytics import metrics
from keyprojects.analytics.bulletin import bulletin_data, bulletin_docx, bulletin_xlsx, chinese_date
from keyprojects.analytics.models import BulletinSetting
from keyprojects.analytics.selectors import totals
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401  (the fixture)
from keyprojects.audit.models import AuditEvent
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dispatch.models import DispatchConfig, ProjectWarning
from keyprojects.dispatch.services import period_close


@pytest.fixture
def feb(rw):  # noqa: F811
    DispatchConfig.objects.filter(pk=DispatchConfig.get().pk).update(behind_points=D("5"))  # 历下 (+8.33) still not behind
    period_close(user=rw.users.province, period=rw.p2, confirm="确认关账")
    return rw


def _docx(content: bytes):
    return Document(io.BytesIO(content))


def _rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_word_document_reads_back(feb):
    data = bulletin_data(period=feb.p2, root=feb.province)
    doc = _docx(bulletin_docx(data))
    paragraphs = [p.text for p in doc.paragraphs]
    # 版头 (office, 文号), title, 主送
    assert paragraphs[:4] == [
        "山东省重点项目建设推进办公室",
        "山东重点办〔2026〕2号",
        "2026年2月全省重点项目建设情况通报",
        "各市重点项目主管部门：",
    ]
    assert doc.core_properties.title == paragraphs[2]
    assert doc.paragraphs[0].runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)  # the office in red
    assert paragraphs[-2:] == ["山东省重点项目建设推进办公室", chinese_date(data.header.issued_on)]  # 落款
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "fldChar" in footer  # page numbers

    # the summary figures are the metrics' (the same as the province user's totals)
    t = totals(user=feb.users.province, period=feb.p2)
    assert (t.projects, t.annual_plan, t.invested_ytd) == (6, D(4400), D(1650))
    assert metrics.as_percent(t.completion_rate) == D("37.50") and t.ahead_points == D("20.83")
    summary = next(p for p in paragraphs if p.startswith("截至"))
    assert "全省纳入调度的重点项目6个" in summary
    assert "年度计划投资0.44亿元" in summary and "1-2月累计完成投资0.17亿元" in summary  # 亿元 in the text
    assert "年度投资完成率37.50%" in summary and metrics.schedule_phrase(t.ahead_points) in summary
    assert "超序时进度20.83个百分点" in summary and "序时进度16.67%" in summary
    assert "2个市中，2个超序时进度，0个落后序时进度" in summary
    # 济南市本级 (0%) did not report: listed with the unreported, not as lagging
    assert "落后序时进度超过5个百分点的项目0个，未报送月报的项目3个。" in summary
    headings = ["一、总体情况", "二、各市投资完成情况排名", "三、进度滞后项目", "四、未报送月报项目", "五、数据存疑情况", "六、预警情况"]
    assert [paragraphs.index(h) for h in headings] == sorted(paragraphs.index(h) for h in headings)

    tables = {t.rows[0].cells[1].text if t.rows[0].cells[0].text == "序号" else t.rows[0].cells[0].text: t for t in doc.tables}
    ranking, unreported, warnings = tables["排名"], tables["项目名称"], tables["预警类型"]
    assert "本月没有落后序时进度超过5个百分点的项目。" in paragraphs
    assert _rows(ranking) == [
        ["排名", "市", "项目数", "年度计划投资（万元）", "1-2月累计完成投资（万元）", "完成率（%）", "与序时进度比较", "较上月"],
        ["1", "青岛市", "1", "900.00", "450.00", "50.00", "超序时进度33.33个百分点", "↑1"],
        ["2", "济南市", "5", "3,500.00", "1,200.00", "34.29", "超序时进度17.62个百分点", "↓1"],  # 万元 with separators
    ]
    assert _rows(unreported)[0] == ["序号", "项目名称", "所在地区", "责任单位", "包保领导", "年度计划投资（万元）", "状态"]
    assert [r[1] for r in _rows(unreported)[1:]] == ["历下区项目", "济南市本级项目", "天桥区项目"]  # the biggest plans first
    assert _rows(unreported)[2] == ["2", "济南市本级项目", "济南市", "—", "—", "500.00", "未报"]
    kinds = dict(_rows(warnings)[1:])
    # the unreported 济南市本级 project (0 %) is not warned as lagging on carried-forward figures
    # (dispatch.rules.lag_measured): it is 未报, as 三 and 四 say
    assert "落后序时进度" not in kinds and kinds["未报"] == str(ProjectWarning.objects.filter(period=feb.p2, kind="missing_report").count())
    assert "本月共产生预警" in next(p for p in paragraphs if p.startswith("本月共产生预警"))

    # Chinese fonts on the runs: 宋体 title, 黑体 headings, 仿宋 body
    def east_asia(paragraph):
        return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))

    by_text = {p.text: p for p in doc.paragraphs}
    assert east_asia(doc.paragraphs[2]) == "宋体" and doc.paragraphs[2].runs[0].bold
    assert east_asia(by_text["一、总体情况"]) == "黑体"
    assert east_asia(by_text[summary]) == "仿宋"
    assert ranking.rows[1].cells[1].paragraphs[0].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert ranking.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # the header row repeats on every page


def test_lagging_projects_carry_unit_and_leader(feb):
    DispatchConfig.objects.update(behind_points=D("-40"))  # everything below 序时进度 + 40 points
    data = bulletin_data(period=feb.p2, root=feb.jinan)
    assert data.title == "2026年2月全市重点项目建设情况通报"
    huaiyin = next(p for p in data.lagging if p.project_id == feb.huaiyin.pk)
    assert (huaiyin.name, huaiyin.region, huaiyin.unit, huaiyin.leader) == ("槐荫区项目", "槐荫区", "济南市发展和改革委员会", "")
    assert huaiyin.points == D("33.33") and huaiyin.rate == D("0.5000")
    assert (huaiyin.annual_plan, huaiyin.invested_ytd) == (D(1000), D(500))
    assert [p.points for p in data.lagging] == sorted(p.points for p in data.lagging)  # most behind first
    assert feb.projects.own_county.pk not in {p.project_id for p in data.lagging}  # 历下 did not report February
    assert feb.projects.own_county.pk in {p.project_id for p in data.unreported}
    assert {r.unit.key for r in data.ranking.rows} == {"370102", "370103", "370104", "370105"}


def test_lagging_projects_capped_per_city_with_the_unreported_apart(feb):
    DispatchConfig.objects.update(behind_points=D("-40"))
    BulletinSetting.objects.create(
        region=feb.province, issuer="山东省重点项目工作领导小组办公室", doc_number="鲁重点办〔{year}〕{month}号", top_n=1
    )
    data = bulletin_data(period=feb.p2, root=feb.province, issued_on=dt.date(2026, 3, 10))
    # 济南 has two reported projects behind (市中, 槐荫), 青岛 one (市南): one named per city
    assert data.lagging_total == 3 and len(data.lagging) == 2
    assert [(c.name, c.total, c.shown) for c in data.lagging_by_child] == [("济南市", 2, 1), ("青岛市", 1, 1)]
    assert "（济南市2个；青岛市1个），以下列出各市落后最多的前1个（共列出2个）" in data.lagging_intro
    # the unreported are counted per city and named apart (1 per city here), never as lagging
    assert data.unreported_total == 3 and [(c.name, c.total, c.shown) for c in data.unreported_by_child] == [("济南市", 3, 1)]
    assert [p.name for p in data.unreported] == ["历下区项目"]  # the biggest plan first
    assert "3个项目未报送月报或退回后未重新报送" in data.unreported_intro and "济南市3个" in data.unreported_intro
    doc = _docx(bulletin_docx(data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:2] == ["山东省重点项目工作领导小组办公室", "鲁重点办〔2026〕2号"]
    assert texts[-1] == "2026年3月10日"


def test_doubtful_items_are_named(feb):
    from keyprojects.dispatch.choices import WarningKind

    ProjectWarning.objects.create(
        project=feb.huaiyin, period=feb.p2, kind=WarningKind.FLAGGED_FIGURES, message="本月完成投资是平常月份的10倍以上（疑似单位错误）"
    )
    data = bulletin_data(period=feb.p2, root=feb.province)
    assert data.doubtful_total == 1
    assert [(p.name, p.region, p.note) for p in data.doubtful] == [
        ("槐荫区项目", "槐荫区", "本月完成投资是平常月份的10倍以上（疑似单位错误）")
    ]
    doc = _docx(bulletin_docx(data))
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "存疑内容")
    assert _rows(table)[1] == ["1", "槐荫区项目", "槐荫区", "济南市发展和改革委员会", "本月完成投资是平常月份的10倍以上（疑似单位错误）"]
    assert "数据存疑的项目1个" in data.summary


def test_xlsx_reads_back(feb):
    data = bulletin_data(period=feb.p2, root=feb.province)
    wb = load_workbook(io.BytesIO(bulletin_xlsx(data)))
    assert wb.sheetnames == ["概况", "排名", "滞后项目", "未报项目", "数据存疑", "预警", "预警明细"]
    overview = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=3, values_only=True)}
    assert overview["重点项目（个）"] == 6 and overview["年度计划投资（万元）"] == 4400
    assert overview["1-2月累计完成投资（万元）"] == 1650 and overview["年度投资完成率（%）"] == 37.5
    assert overview["与序时进度比较"] == "超序时进度20.83个百分点"
    ranking = list(wb["排名"].iter_rows(min_row=2, values_only=True))
    assert ranking[0][:3] == ("排名", "市", "项目数")
    assert ranking[1] == (1, "青岛市", 1, 900, 450, 50, "超序时进度33.33个百分点", "↑1")
    assert ranking[2][:2] == (2, "济南市") and ranking[2][5] == 34.29
    assert list(wb["滞后项目"].iter_rows(min_row=3, values_only=True)) == []  # 济南市本级 did not report
    unreported = list(wb["未报项目"].iter_rows(min_row=3, values_only=True))
    assert unreported[1] == (2, "济南市本级项目", "济南市", None, None, 500, "未报")
    assert overview["未报送月报项目（个）"] == 3 and overview["文号"] == "山东重点办〔2026〕2号"
    assert len(list(wb["预警明细"].iter_rows(min_row=3))) == ProjectWarning.objects.filter(period=feb.p2).count()
    assert wb["排名"]["A1"].value == "2026年2月全省重点项目建设情况通报 · 各市排名"


def test_command_writes_docx_and_xlsx(feb, tmp_path):
    out = tmp_path / "通报.docx"
    call_command("bulletin", "--period", "2026-02", "--output", str(out), "--date", "2026-03-09", "--top", "3")
    texts = [p.text for p in _docx(out.read_bytes()).paragraphs]
    assert texts[2] == "2026年2月全省重点项目建设情况通报" and texts[-1] == "2026年3月9日"
    xlsx = tmp_path / "b.xlsx"
    call_command("bulletin", "--period", "2026-02", "--output", str(xlsx), "--region", "370100")
    assert load_workbook(xlsx)["排名"]["A1"].value.startswith("2026年2月全市重点项目建设情况通报")
    assert AuditEvent.objects.filter(action="export", changes__kind="bulletin").count() == 2
    for args, words in (
        (["--period", "2026-13", "--output", str(out)], "调度期"),
        (["--period", "2025-02", "--output", str(out)], "不存在"),
        (["--period", "2026-02", "--output", str(tmp_path / "x.pdf")], ".docx"),
        (["--period", "2026-02", "--output", str(out), "--region", "370102"], "省或市"),
        (["--period", "2026-02", "--output", str(out), "--date", "2026-3-9x"], "YYYY-MM-DD"),
        (["--period", "2026-02", "--output", str(out), "--top", "0"], "1 到 100"),
    ):
        with pytest.raises(CommandError, match=words):
            call_command("bulletin", *args)


def test_download_permission_and_scope(feb, client):
    docx_url = reverse("analytics:bulletin_docx", kwargs={"period": "2026-02"})
    xlsx_url = reverse("analytics:bulletin_xlsx", kwargs={"period": "2026-02"})
    client.force_login(feb.users.city)
    page = client.get(reverse("analytics:bulletin"), {"period": "2026-02"})
    assert page.status_code == 200 and docx_url in page.content.decode()
    resp = client.get(docx_url)
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in resp["Content-Disposition"]
    assert _docx(resp.content).paragraphs[2].text == "2026年2月全市重点项目建设情况通报"  # the city's own bulletin
    assert client.get(xlsx_url).status_code == 200
    assert client.get(docx_url, {"region": "370200"}).status_code == 404  # a city cannot pick another city
    assert AuditEvent.objects.filter(action="export", actor_username="jinan", changes__kind="bulletin").count() == 2

    client.force_login(feb.users.province)
    resp = client.get(docx_url, {"region": "370200"})
    assert resp.status_code == 200
    doc = _docx(resp.content)
    assert doc.paragraphs[2].text == "2026年2月全市重点项目建设情况通报" and "全市纳入调度的重点项目1个" in doc.paragraphs[5].text
    assert client.get(reverse("analytics:bulletin_docx", kwargs={"period": "2030-01"})).status_code == 404

    for user in (feb.users.county, feb.users.department, feb.users.enterprise, feb.users.auditor, feb.users.sysadmin):
        client.force_login(user)
        assert client.get(docx_url).status_code == 403, user.username  # the role may not open it (not "not found")
        assert client.get(reverse("analytics:bulletin")).status_code == 403
    client.logout()
    assert client.get(docx_url).status_code == 302  # to the login page


def test_page_is_paged_and_its_office_sets_the_header(feb, client, monkeypatch):
    from keyprojects.analytics import views_reports

    DispatchConfig.objects.update(behind_points=D("-40"))  # 3 lagging projects in the province
    monkeypatch.setattr(views_reports, "BULLETIN_PAGE_SIZE", 2)
    url = reverse("analytics:bulletin")
    client.force_login(feb.users.province)
    page = client.get(url, {"period": "2026-02"})
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="lagging-row"') == 2 and "第 1 / 2 页" in html
    assert "山东重点办〔2026〕2号" in html and 'data-testid="bulletin-settings"' in html
    page2 = client.get(url, {"period": "2026-02", "page": "2"}).content.decode()
    assert page2.count('data-testid="lagging-row"') == 1

    # the province's staff set 发文机关, 文号 and N: validated at the field, audited
    settings_url = reverse("analytics:bulletin_settings")
    bad = client.post(settings_url + "?period=2026-02", {"issuer": "x", "doc_number": "鲁〔{year}〕{n}号", "recipients": "", "top_n": "0"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'data-testid="error-top_n"' in body and not BulletinSetting.objects.exists()
    bad = client.post(settings_url, {"issuer": "x", "doc_number": "鲁〔{year}〕{n}号", "recipients": "", "top_n": "5"})
    assert bad.status_code == 400 and "文号中只能使用" in bad.content.decode()
    ok = client.post(
        settings_url + "?period=2026-02",
        {"issuer": "山东省重点项目办", "doc_number": "鲁重点办〔{year}〕{month}号", "recipients": "", "top_n": "1"},
    )
    assert ok.status_code == 302 and ok["Location"].endswith("?period=2026-02")
    setting = BulletinSetting.objects.get(region=feb.province)
    assert (setting.issuer, setting.top_n) == ("山东省重点项目办", 1)
    assert AuditEvent.objects.filter(action="config", object_type__contains="bulletinsetting").exists()
    html = client.get(url, {"period": "2026-02"}).content.decode()
    assert "鲁重点办〔2026〕2号" in html and "山东省重点项目办" in html
    assert html.count('data-testid="lagging-row"') == 2  # one per city

    # a city user edits its own city's settings only; a leader reads but does not edit
    client.force_login(feb.users.city)
    assert 'data-testid="bulletin-settings"' in client.get(url).content.decode()
    assert client.post(settings_url + "?region=370200", {"issuer": "x", "top_n": "3"}).status_code == 404
    client.force_login(feb.users.leader)
    assert 'data-testid="bulletin-settings"' not in client.get(url).content.decode()
    assert client.post(settings_url, {"issuer": "x", "top_n": "3"}).status_code == 404


def test_page_ranking_header_in_english(feb, client, compiled):  # noqa: F811
    """The page's ranking column is named in the page's language (the document's own word, 市 or
    县（市、区）, stays in the Word and Excel files)."""
    url = reverse("analytics:bulletin")
    client.force_login(feb.users.province)
    head = client.get(url, {"period": "2026-02"}).content.decode().split('data-testid="bulletin-ranking"')[1].split("</thead>")[0]
    assert '<th scope="col">市</th>' in head
    _switch_to_english(client)
    head = client.get(url, {"period": "2026-02"}).content.decode().split('data-testid="bulletin-ranking"')[1].split("</thead>")[0]
    assert '<th scope="col">City</th>' in head and "市" not in head
    client.force_login(feb.users.city)
    head = client.get(url, {"period": "2026-02"}).content.decode().split('data-testid="bulletin-ranking"')[1].split("</thead>")[0]
    assert '<th scope="col">County / district</th>' in head


def test_settings_form_in_english(feb, client, compiled):  # noqa: F811
    """The bulletin settings' labels and help text follow the page's language (they were read once,
    in Chinese, when the module was imported)."""
    url = reverse("analytics:bulletin")
    client.force_login(feb.users.province)
    assert "发文机关" in client.get(url, {"period": "2026-02"}).content.decode()
    _switch_to_english(client)
    html = client.get(url, {"period": "2026-02"}).content.decode()
    form = html.split('data-testid="bulletin-settings"')[1].split("</form>")[0]
    assert "Issuing office" in form and "Document number" in form and "Addressees" in form and "Projects named per region" in form
    assert "May contain {year} and {month}" in form
    assert not re.search(r"[\u3400-\u9fff]", form.replace("KP〔{year}〕{month}", ""))


def test_the_warnings_paragraph_stays_chinese_on_the_english_page(feb, client, compiled):  # noqa: F811
    """六、预警情况 is part of the Chinese document: its kinds are named in Chinese on the English
    page too, not “其中Behind schedule 3条”."""
    url = reverse("analytics:bulletin")
    client.force_login(feb.users.province)
    chinese = re.search(r"<p>(本月共产生预警.*?)</p>", client.get(url, {"period": "2026-02"}).content.decode()).group(1)
    _switch_to_english(client)
    english_page = re.search(r"<p>(本月共产生预警.*?)</p>", client.get(url, {"period": "2026-02"}).content.decode()).group(1)
    assert english_page == chinese and not re.search(r"[A-Za-z]", english_page)


def test_summary_names_the_due_projects_when_some_are_not_in_a_reporting_stage(rw):  # noqa: F811
    """The board counts the projects due to report (应报); the bulletin's 纳入调度 counts every
    listed project. When they differ (a listed project still 谋划储备), the summary says both."""
    from keyprojects.analytics.refresh import refresh_periods
    from keyprojects.projects.models import Project

    assert "全省纳入调度的重点项目6个，" in bulletin_data(period=rw.p2, root=rw.province).summary
    Project.objects.filter(pk=rw.huaiyin.pk).update(stage="reserve")
    refresh_periods(periods=[rw.p2])
    data = bulletin_data(period=rw.p2, root=rw.province)
    assert (data.totals.projects, data.totals.reports_due) == (6, 5)
    assert "全省纳入调度的重点项目6个（其中本月应报送月报的5个），年度计划投资0.44亿元" in data.summary
