"""通报: the Word document read back with python-docx (title, summary figures equal the metrics,
ranking and lagging tables, warnings, Chinese fonts), the same tables in xlsx read back with
openpyxl, the management command, and who may download what.

February in the ranking world (``rw``, see test_rankings), closed for the province:
  济南 1200 / 3500 = 34.29%, 青岛 450 / 900 = 50%; province 1650 / 4400 = 37.50%,
  序时进度 16.67% → 超序时进度20.83个百分点.
  Behind by more than 10 points: 历下 25% (+8.33, no), 天桥 (no plan, no), the 济南市本级
  project 0% (−16.67, yes: 起步区 zone, no unit).
"""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from keyprojects.analytics import metrics
from keyprojects.analytics.bulletin import bulletin_data, bulletin_docx, bulletin_xlsx
from keyprojects.analytics.selectors import totals
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401  (the fixture)
from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.models import DispatchConfig, ProjectWarning
from keyprojects.dispatch.services import period_close


@pytest.fixture
def feb(rw):  # noqa: F811
    DispatchConfig.objects.filter(pk=DispatchConfig.get().pk).update(behind_points=D("5"))  # 历下 (+8.33) still not behind
    period_close(user=rw.users.province, period=rw.p2)
    return rw


def _docx(content: bytes):
    return Document(io.BytesIO(content))


def _rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_word_document_reads_back(feb):
    data = bulletin_data(period=feb.p2, root=feb.province)
    doc = _docx(bulletin_docx(data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "2026年2月全省重点项目建设情况通报"
    assert doc.core_properties.title == paragraphs[0]

    # the summary figures are the metrics' (the same as the province user's totals)
    t = totals(user=feb.users.province, period=feb.p2)
    assert (t.projects, t.annual_plan, t.invested_ytd) == (6, D(4400), D(1650))
    assert metrics.as_percent(t.completion_rate) == D("37.50") and t.ahead_points == D("20.83")
    summary = next(p for p in paragraphs if p.startswith("截至"))
    assert "全省纳入调度的重点项目6个" in summary
    assert "年度计划投资4400.00万元" in summary and "1-2月累计完成投资1650.00万元" in summary
    assert "年度投资完成率37.50%" in summary and metrics.schedule_phrase(t.ahead_points) in summary
    assert "超序时进度20.83个百分点" in summary and "序时进度16.67%" in summary
    assert "2个市中，2个超序时进度，0个落后序时进度" in summary
    assert "落后序时进度超过5个百分点的项目1个" in summary
    assert paragraphs.index("一、总体情况") < paragraphs.index("二、各市投资完成情况排名") < paragraphs.index("三、进度滞后项目")

    ranking, lagging, warnings = doc.tables
    assert _rows(ranking) == [
        ["排名", "市", "项目数", "年度计划投资（万元）", "累计完成投资（万元）", "完成率（%）", "与序时进度比较", "较上月"],
        ["1", "青岛市", "1", "900.00", "450.00", "50.00", "超序时进度33.33个百分点", "↑1"],
        ["2", "济南市", "5", "3500.00", "1200.00", "34.29", "超序时进度17.62个百分点", "↓1"],
    ]
    assert _rows(lagging) == [
        ["序号", "项目名称", "所在地区", "责任单位", "包保领导", "完成率（%）", "落后序时进度（百分点）"],
        ["1", "济南市本级项目", "济南市", "—", "—", "0.00", "16.67"],
    ]
    kinds = dict(_rows(warnings)[1:])
    assert kinds["落后序时进度"] == "1" and kinds["未报"] == str(
        ProjectWarning.objects.filter(period=feb.p2, kind="missing_report").count()
    )
    assert "本月共产生预警" in next(p for p in paragraphs if p.startswith("本月共产生预警"))

    # Chinese fonts on the runs: 宋体 title, 黑体 headings, 仿宋 body
    def east_asia(paragraph):
        return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))

    by_text = {p.text: p for p in doc.paragraphs}
    assert east_asia(doc.paragraphs[0]) == "宋体" and doc.paragraphs[0].runs[0].bold
    assert east_asia(by_text["一、总体情况"]) == "黑体"
    assert east_asia(by_text[summary]) == "仿宋"
    assert ranking.rows[1].cells[1].paragraphs[0].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_lagging_projects_carry_unit_and_leader(feb):
    DispatchConfig.objects.update(behind_points=D("-10"))  # everything below 序时进度 + 10 points
    data = bulletin_data(period=feb.p2, root=feb.jinan)
    assert data.title == "2026年2月全市重点项目建设情况通报"
    lixia = next(p for p in data.lagging if p.project_id == feb.projects.own_county.pk)
    assert (lixia.name, lixia.region, lixia.unit, lixia.leader) == ("历下区项目", "历下区", "济南市发展和改革委员会", "张市长（副市长）")
    assert lixia.points == D("8.33") and lixia.rate == D("0.2500")
    assert [p.points for p in data.lagging] == sorted(p.points for p in data.lagging)  # most behind first
    assert {r.unit.key for r in data.ranking.rows} == {"370102", "370103", "370104", "370105"}


def test_xlsx_reads_back(feb):
    data = bulletin_data(period=feb.p2, root=feb.province)
    wb = load_workbook(io.BytesIO(bulletin_xlsx(data)))
    assert wb.sheetnames == ["概况", "排名", "滞后项目", "预警", "预警明细"]
    overview = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=3, values_only=True)}
    assert overview["重点项目（个）"] == 6 and overview["年度计划投资（万元）"] == 4400
    assert overview["1-2月累计完成投资（万元）"] == 1650 and overview["年度投资完成率（%）"] == 37.5
    assert overview["与序时进度比较"] == "超序时进度20.83个百分点"
    ranking = list(wb["排名"].iter_rows(min_row=2, values_only=True))
    assert ranking[0][:3] == ("排名", "市", "项目数")
    assert ranking[1] == (1, "青岛市", 1, 900, 450, 50, "超序时进度33.33个百分点", "↑1")
    assert ranking[2][:2] == (2, "济南市") and ranking[2][5] == 34.29
    lagging = list(wb["滞后项目"].iter_rows(min_row=3, values_only=True))
    assert lagging == [(1, "济南市本级项目", "济南市", None, None, 0, 16.67)]
    assert wb["排名"]["A1"].value == "2026年2月全省重点项目建设情况通报 · 各市排名"


def test_command_writes_docx_and_xlsx(feb, tmp_path):
    out = tmp_path / "通报.docx"
    call_command("bulletin", "--period", "2026-02", "--output", str(out))
    assert _docx(out.read_bytes()).paragraphs[0].text == "2026年2月全省重点项目建设情况通报"
    xlsx = tmp_path / "b.xlsx"
    call_command("bulletin", "--period", "2026-02", "--output", str(xlsx), "--region", "370100")
    assert load_workbook(xlsx)["排名"]["A1"].value.startswith("2026年2月全市重点项目建设情况通报")
    assert AuditEvent.objects.filter(action="export", changes__kind="bulletin").count() == 2
    for args, words in (
        (["--period", "2026-13", "--output", str(out)], "调度期"),
        (["--period", "2025-02", "--output", str(out)], "不存在"),
        (["--period", "2026-02", "--output", str(tmp_path / "x.pdf")], ".docx"),
        (["--period", "2026-02", "--output", str(out), "--region", "370102"], "省或市"),
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
    assert _docx(resp.content).paragraphs[0].text == "2026年2月全市重点项目建设情况通报"  # the city's own bulletin
    assert client.get(xlsx_url).status_code == 200
    assert client.get(docx_url, {"region": "370200"}).status_code == 404  # a city cannot pick another city
    assert AuditEvent.objects.filter(action="export", actor_username="jinan", changes__kind="bulletin").count() == 2

    client.force_login(feb.users.province)
    resp = client.get(docx_url, {"region": "370200"})
    assert resp.status_code == 200
    doc = _docx(resp.content)
    assert doc.paragraphs[0].text == "2026年2月全市重点项目建设情况通报" and "全市纳入调度的重点项目1个" in doc.paragraphs[2].text
    assert client.get(reverse("analytics:bulletin_docx", kwargs={"period": "2030-01"})).status_code == 404

    for user in (feb.users.county, feb.users.department, feb.users.enterprise, feb.users.auditor, feb.users.sysadmin):
        client.force_login(user)
        assert client.get(docx_url).status_code == 404, user.username
        assert client.get(reverse("analytics:bulletin")).status_code == 404
    client.logout()
    assert client.get(docx_url).status_code == 302  # to the login page
