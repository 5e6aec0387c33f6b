"""One figure, one answer (issue 9 item 5; ADR 0011).

For every project and month of a small ``seed_demo`` database — drafts left in closed months,
returned reports and unreported projects included — the 1-N月累计 computed here by hand from the
reports (counted = submitted or approved, carried forward over unreported months) equals:
the facts every page reads, what a counted report states (the API's ``/reports/``), the figures
API per project and per region, the region and dimension summaries (dashboard, rankings,
bulletin), and the 调度表 export. Then the refresh action's incremental path is checked against a
whole rebuild.
"""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.test import Client
from openpyxl import load_workbook

from keyprojects.accounts.models import User
from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.refresh import refresh_after
from keyprojects.dataio.exports import FIRST_DATA_ROW
from keyprojects.dispatch.models import MonthlyReport, ReportingPeriod
from keyprojects.projects.models import Project

SEED = {"projects": 120, "months": 4, "seed": 7, "year": 2026, "month": 6}
D = Decimal
COUNTED = {"submitted", "approved"}  # written out here on purpose: the test's own reading of ADR 0011


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """A small demo world, seeded once for the module and rolled back after it; a draft is left
    in a closed month (kept, counting nowhere) and the refresh action run for its project."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO(), verbosity=0, **SEED)
            # the first project missing in a closed month (the earliest such month) with no report
            # at all (a draft left in a closed month is missing too)
            reported = MonthlyReport.objects.filter(project_id=OuterRef("project_id"), period_id=OuterRef("period_id"))
            fact = (
                ProjectPeriodFact.objects.filter(period__status="closed", report_state="missing").exclude(Exists(reported))
                .select_related("period").order_by("period__year", "period__month", "project_id").first()
            )  # fmt: skip
            MonthlyReport.objects.create(project_id=fact.project_id, period=fact.period, invested_month=D(777), invested_ytd=D(777),
                                         invested_to_date=D(777))  # fmt: skip
            refresh_after(project_ids=[fact.project_id], from_period=fact.period)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(demo_db, db) -> None:
    return None


def expected_figures() -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """(project, period pk) → (official 1-N月累计, official 本月) by hand from the reports."""
    periods = list(ReportingPeriod.objects.order_by("year", "month"))
    reports: dict[int, dict[tuple[int, int], tuple[str, Decimal]]] = defaultdict(dict)
    for pid, y, m, st, v in MonthlyReport.objects.values_list("project_id", "period__year", "period__month", "status", "invested_month"):
        reports[pid][(y, m)] = (st, v)
    out = {}
    for pid, pk in ProjectPeriodFact.objects.values_list("project_id", "period_id"):
        per = next(p for p in periods if p.pk == pk)
        mine = reports.get(pid, {})
        ytd = sum((v for (y, m), (st, v) in mine.items() if y == per.year and m <= per.month and st in COUNTED), D(0))
        st, v = mine.get((per.year, per.month), ("", D(0)))
        out[(pid, pk)] = (ytd, v if st in COUNTED else D(0))
    return out


@pytest.mark.django_db
def test_every_page_gives_the_same_cumulative_figure(seeded):
    expected = expected_figures()
    assert len(expected) > 300
    facts = {(f.project_id, f.period_id): f for f in ProjectPeriodFact.objects.all()}
    # the data has what makes the rule matter: drafts, returned reports and unreported months
    statuses = set(MonthlyReport.objects.values_list("status", flat=True))
    assert {"draft", "returned", "submitted", "approved"} <= statuses
    assert any(f.report_state == "missing" for f in facts.values())
    for key, (ytd, month) in expected.items():
        assert (facts[key].invested_ytd, facts[key].invested_month) == (ytd, month), key
    # a counted report states the official figure (the API's /reports/ and the fill page)
    for r in MonthlyReport.objects.filter(status__in=COUNTED):
        if (r.project_id, r.period_id) in facts:
            assert r.invested_ytd == facts[(r.project_id, r.period_id)].invested_ytd, r
    # a draft left in a closed month is kept, counts nowhere and shows 未报
    closed = set(ReportingPeriod.objects.filter(status="closed").values_list("pk", flat=True))
    drafts = MonthlyReport.objects.filter(status="draft", period_id__in=closed)
    assert drafts.exists()
    for r in drafts:
        f = facts.get((r.project_id, r.period_id))
        if f is not None and f.report_due:
            assert f.report_state == "missing" and f.invested_month == 0

    # region summaries (dashboard, rankings, bulletin) = Σ facts of the region
    sums: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for f in facts.values():
        for code in {f.region_code, f.city_code, f.province_code} - {""}:
            sums[(code, f.period_id)] += f.invested_ytd
    for s in RegionPeriodSummary.objects.all():
        assert s.invested_ytd == sums[(s.region_id, s.period_id)], s
    for s in DimensionPeriodSummary.objects.filter(dimension="all"):
        assert s.invested_ytd == sums[(s.region_id, s.period_id)], s

    # the API, as the province sees it: figures per project and per city, and the reports
    client = Client()
    client.force_login(User.objects.get(username="province"))
    latest = ReportingPeriod.objects.order_by("-year", "-month").first()
    got: dict[int, Decimal] = {}
    page = 1
    while True:
        resp = client.get("/api/v1/figures/projects/", {"period": latest.label, "page": page, "page_size": 500})
        assert resp.status_code == 200, resp.content
        body = resp.json()
        got.update({row["project"]: D(row["invested_ytd"]) for row in body["results"]})
        if not body["next"]:
            break
        page += 1
    assert got == {pid: ytd for (pid, pk), (ytd, _) in expected.items() if pk == latest.pk}
    regions = client.get("/api/v1/figures/regions/", {"period": latest.label}).json()
    assert regions[0]["region"] == "370000"
    for row in regions:
        assert D(row["invested_ytd"]) == sums[(row["region"], latest.pk)], row
    reports = client.get("/api/v1/reports/", {"period": latest.label, "status": "approved", "page_size": 500}).json()["results"]
    assert reports
    for r in reports:
        assert D(r["invested_ytd"]) == facts[(r["project"], latest.pk)].invested_ytd

    # the 调度表 export of one city shows the same 1-N月累计 per project
    jinan = User.objects.get(username="jinan")
    client.force_login(jinan)
    resp = client.get("/dataio/dispatch-table.xlsx", {"period": latest.label, "region": "370100"})
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    names = dict(Project.objects.values_list("name", "pk"))
    seen = 0
    for row in ws.iter_rows(min_row=FIRST_DATA_ROW + 1, values_only=True):
        # (序号, 项目名称, …, 1-N月累计 in column 8): project rows, not the group and total rows
        if isinstance(row[0], int | float) and row[1] in names and isinstance(row[7], int | float):
            pid = names[row[1]]
            assert D(str(row[7])).quantize(D("0.01")) == facts[(pid, latest.pk)].invested_ytd.quantize(D("0.01")), row[1]
            seen += 1
    assert seen > 0


@pytest.mark.django_db
def test_incremental_refresh_equals_a_whole_rebuild(seeded, monkeypatch):
    """Submissions, returns and approvals refresh the summaries by differences (the difference
    is really applied: no whole rebuild runs inside), and rebuilding the periods whole
    afterwards changes no column of any summary row."""
    from keyprojects.analytics import services as analytics_services
    from keyprojects.analytics.refresh import refresh_after, refresh_periods

    whole = analytics_services.summaries_refresh

    def no_whole_rebuild(**kwargs):
        raise AssertionError("refresh_after rebuilt the summaries whole instead of applying the difference")

    open_periods = list(ReportingPeriod.objects.filter(status="open"))
    assert open_periods
    period = open_periods[0]
    pids = list(Project.objects.filter(facts__period=period).exclude(city_code="").order_by("pk").values_list("pk", flat=True)[:12])
    # change what counts: flip some reports between draft and submitted, change amounts
    for i, r in enumerate(MonthlyReport.objects.filter(project_id__in=pids, period=period)):
        r.status = "draft" if r.status in COUNTED else "submitted"
        r.invested_month = r.invested_month + i
        r.invested_ytd = r.invested_ytd + i
        r.invested_to_date = r.invested_to_date + i
        r.save(update_fields=["status", "invested_month", "invested_ytd", "invested_to_date"])
    monkeypatch.setattr(analytics_services, "summaries_refresh", no_whole_rebuild)
    refresh_after(project_ids=pids, from_period=period)
    monkeypatch.setattr(analytics_services, "summaries_refresh", whole)

    def rows(model, *skip):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "created_at", "updated_at", *skip)]
        return sorted(tuple(str(v) if isinstance(v, D) else v for v in row) for row in model.objects.values_list(*names))

    def snapshot() -> tuple[list, list, list]:
        return rows(ProjectPeriodFact), rows(RegionPeriodSummary), rows(DimensionPeriodSummary)

    incremental = snapshot()
    refresh_periods(periods=open_periods)
    rebuilt = snapshot()
    for got, want in zip(incremental, rebuilt, strict=True):
        assert len(got) == len(want)
        assert [r for r in got if r not in want] == [] and [r for r in want if r not in got] == []


@pytest.mark.django_db
def test_project_page_and_last_month_show_the_official_figures(seeded):
    """The project page's 月报 table and the fill and review pages' 上期 show what counts: a
    draft (one left in a closed month included) or a returned report states what its figures
    would be once submitted, and that figure is shown nowhere as the project's 1-N月累计 (it said
    2,747 where every other page said 2,367, and a reviewer compared the month with a draft)."""
    import re

    from keyprojects.core.money import format_wan

    facts = {(f.project_id, f.period_id): f for f in ProjectPeriodFact.objects.all()}
    closed = set(ReportingPeriod.objects.filter(status="closed").values_list("pk", flat=True))
    uncounted = list(MonthlyReport.objects.exclude(status__in=COUNTED).exclude(invested_month=0).order_by("pk"))
    assert any(r.period_id in closed for r in uncounted) and any(r.status == "returned" for r in uncounted)
    client = Client()
    client.force_login(User.objects.get(username="province"))
    row_re = re.compile(r'data-testid="project-report-row">.*?/dispatch/reports/(\d+)/.*?project-report-ytd">([^<]*)<', re.S)
    for r in [*[r for r in uncounted if r.period_id in closed][:3], *[r for r in uncounted if r.status == "returned"][:3]]:
        html = client.get(f"/projects/{r.project_id}/").content.decode()
        shown = dict(row_re.findall(html))
        assert shown[str(r.pk)] == format_wan(facts[(r.project_id, r.period_id)].invested_ytd), r
        assert shown[str(r.pk)] != format_wan(r.invested_ytd)
        assert 'data-testid="project-report-not-counted"' in html
        # the month after: 上期 is the latest counted report, never the draft or the returned one
        later = (
            ReportingPeriod.objects.filter(models.Q(year=r.period.year, month__gt=r.period.month) | models.Q(year__gt=r.period.year))
            .order_by("year", "month")
            .first()
        )
        if later is None:
            continue
        prev = client.get(f"/dispatch/{later.label}/projects/{r.project_id}/").context["prev"]
        assert prev is None or (prev.status in COUNTED and prev.pk != r.pk), r
        nxt = MonthlyReport.objects.filter(project_id=r.project_id, period=later).first()
        if nxt is not None:
            previous = client.get(f"/dispatch/reports/{nxt.pk}/").context["previous"]
            assert previous is None or (previous.status in COUNTED and previous.pk != r.pk), r


@pytest.mark.django_db
def test_only_a_counted_report_is_doubtful(seeded):
    """数据存疑 (the warning the dashboard counts and the bulletin names) is raised for a report
    that counts: a returned report keeps its check flags, but its figures count nowhere — the
    bulletin named a 10,680,000万元 slip as 数据存疑 that the reviewer had already returned and
    that the same bulletin listed as 退回未重报."""
    from keyprojects.dispatch.models import ProjectWarning, ReportFlag

    def doubtful(r: MonthlyReport) -> bool:
        return ProjectWarning.objects.filter(project_id=r.project_id, period_id=r.period_id, kind="flagged_figures").exists()

    for w in ProjectWarning.objects.filter(kind="flagged_figures"):
        assert MonthlyReport.objects.get(project_id=w.project_id, period_id=w.period_id).status in COUNTED, w
    report = MonthlyReport.objects.filter(status="returned", period__status="open").order_by("pk").first()
    assert report is not None
    flag = {"severity": "warning", "message": "本月完成投资疑似按元填报"}
    ReportFlag.objects.get_or_create(report=report, code="slip_high", defaults=flag)
    refresh_after(project_ids=[report.project_id], from_period=report.period)
    assert not doubtful(report)
    report.status = "submitted"
    report.save(update_fields=["status"])
    refresh_after(project_ids=[report.project_id], from_period=report.period)
    assert doubtful(report)


@pytest.mark.django_db
def test_grid_export_gives_the_official_cumulative_figures(seeded):
    """The 月调度 grid's export states each project's official 1-N月累计 and 开工至今累计 (the
    facts): a draft (one left in a closed month included) or a returned report gave its would-be
    figure there, an unreported project none."""
    facts = {(f.project_id, f.period_id): f for f in ProjectPeriodFact.objects.all()}
    names = dict(Project.objects.values_list("name", "pk"))
    client = Client()
    client.force_login(User.objects.get(username="province"))
    uncounted = set(MonthlyReport.objects.exclude(status__in=COUNTED).values_list("project_id", "period_id"))
    seen = uncounted_seen = 0
    for period in ReportingPeriod.objects.filter(facts__isnull=False).distinct():
        resp = client.get(f"/dispatch/{period.label}/grid/export/")
        assert resp.status_code == 200
        for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True):
            pid = names.get(row[1]) if isinstance(row[0], int) else None
            fact = facts.get((pid, period.pk)) if pid else None
            if fact is None:
                continue
            assert (D(str(row[7])), D(str(row[8]))) == (fact.invested_ytd, fact.invested_to_date), (period.label, row[1])
            seen += 1
            uncounted_seen += (pid, period.pk) in uncounted
    assert seen > 300 and uncounted_seen > 0


def _closed_month_draft() -> MonthlyReport:
    """The draft the fixture left in a closed month (kept, counting nowhere)."""
    closed = ReportingPeriod.objects.filter(status="closed")
    draft = MonthlyReport.objects.filter(status="draft", period__in=closed, invested_month=D(777)).select_related("period").first()
    assert draft is not None
    return draft


@pytest.mark.django_db
def test_a_draft_left_in_a_closed_month_is_labelled_one_way(seeded):
    """Every surface that shows a report's status says 未报（草稿未提交） for a draft left in a closed
    month (``dispatch.rules.report_status_label``): the grid, its export and the project page said
    草稿 where the fill page said 未报（草稿未提交）. The API keeps its machine ``status``."""
    import re

    from keyprojects.dispatch import rules

    draft = _closed_month_draft()
    label = rules.report_status_label("draft", frozen=True)
    assert label == "未报（草稿未提交）" and rules.report_status_label("draft", frozen=False) == "草稿"
    project = Project.objects.get(pk=draft.project_id)
    client = Client()
    client.force_login(User.objects.get(username="province"))
    badge = re.compile(r'data-testid="report-status">([^<]*)<')
    # the fill page and the report page
    assert badge.findall(client.get(f"/dispatch/{draft.period.label}/projects/{project.pk}/").content.decode()) == [label]
    assert badge.findall(client.get(f"/dispatch/reports/{draft.pk}/").content.decode()) == [label]
    # the project page's 月报 table
    html = client.get(f"/projects/{project.pk}/").content.decode()
    rows = re.findall(r'/dispatch/reports/(\d+)/.*?data-testid="project-report-status">([^<]*)<', html, re.S)
    assert (str(draft.pk), label) in rows
    # the grid page and its export
    html = client.get(f"/dispatch/{draft.period.label}/grid/", {"region": project.region_id}).content.decode()
    at = html.index(project.name)
    assert re.search(r'data-testid="row-status">([^<]*)<', html[at:]).group(1).strip() == label
    resp = client.get(f"/dispatch/{draft.period.label}/grid/export/")
    shown = {row[1]: row[5] for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True) if row[1]}
    assert shown[project.name] == label
    # the API: the same label; the machine status unchanged
    body = client.get("/api/v1/reports/", {"period": draft.period.label, "status": "draft", "page_size": 500}).json()
    mine = next(r for r in body["results"] if r["id"] == draft.pk)
    assert (mine["status"], mine["status_label"], mine["counted"]) == ("draft", label, False)
    assert client.get(f"/api/v1/reports/{draft.pk}/").json()["status_label"] == label
    # a draft of a month still open stays 草稿
    open_draft = MonthlyReport.objects.filter(status="draft", period__status="open").order_by("pk").first()
    if open_draft is not None and not open_draft.period.closures.exists():
        got = client.get(f"/api/v1/reports/{open_draft.pk}/").json()
        assert got["status_label"] == "草稿"


@pytest.mark.django_db
def test_a_project_not_due_is_not_placed_against_schedule(seeded):
    """A 谋划储备 project with an annual plan and no report is not due to report: no page places it
    against 序时进度 (the fill page read 落后序时进度91.67个百分点, the project list -91.67) — as the
    warnings, the dashboard's lagging count and the bulletin already leave it out."""
    import re

    from keyprojects.analytics import metrics
    from keyprojects.dispatch.models import ProjectWarning

    latest = ReportingPeriod.objects.order_by("-year", "-month").first()
    fact = (
        ProjectPeriodFact.objects.filter(period=latest, report_due=False, report_state="", annual_plan__gt=0)
        .exclude(project__reports__period=latest)
        .select_related("project")
        .first()
    )
    assert fact is not None and fact.ahead_points is not None and fact.ahead_points < 0
    project = fact.project
    assert not ProjectWarning.objects.filter(project=project, period=latest, kind="behind_schedule").exists()
    assert not ProjectPeriodFact.objects.filter(pk=fact.pk).filter(metrics.lagging_q()).exists()
    client = Client()
    client.force_login(User.objects.get(username="province"))
    html = client.get(f"/dispatch/{latest.label}/projects/{project.pk}/").content.decode()
    rate = re.search(r'data-testid="derived-rate">(.*?)</div>', html, re.S).group(1)
    assert "序时进度" in rate and "落后序时进度" not in rate and "不比较序时进度" in rate
    # the preview while typing says the same
    preview = client.get(f"/dispatch/{latest.label}/projects/{project.pk}/preview/", {"invested_month": "5"}, HTTP_HX_REQUEST="true")
    assert "落后序时进度" not in preview.content.decode() and "超序时进度" not in preview.content.decode()
    # the project list: no points for it
    html = client.get("/projects/", {"q": project.name, "period": latest.label}).content.decode()
    row = html[html.index(f"/projects/{project.pk}/") :]
    assert re.search(r'data-col="points">([^<]*)<', row).group(1) == "—"
    # a due project that reported is still placed against it (the report page)
    due = MonthlyReport.objects.filter(period=latest, status="approved", project__years__year=latest.year).first()
    html = client.get(f"/dispatch/reports/{due.pk}/").content.decode()
    assert "序时进度" in html and "不比较序时进度" not in html


@pytest.mark.django_db
def test_a_reports_own_figures_say_they_are_not_counted(seeded):
    """The fill and report pages show a draft's or a returned report's own 1-N月累计 and 完成率
    (what it would state once submitted) marked 未计入, as the project page does; a counted
    report's are not marked. The API documents ``invested_ytd`` as the report's own figure."""
    client = Client()
    client.force_login(User.objects.get(username="province"))
    returned = MonthlyReport.objects.filter(status="returned").select_related("period").order_by("pk").first()
    draft = _closed_month_draft()
    for r in (returned, draft):
        fill = client.get(f"/dispatch/{r.period.label}/projects/{r.project_id}/").content.decode()
        assert 'data-testid="ro-not-counted"' in fill or 'data-testid="derived-not-counted"' in fill, r
        page = client.get(f"/dispatch/reports/{r.pk}/").content.decode()
        assert 'data-testid="report-not-counted"' in page, r
        if ProjectPeriodFact.objects.filter(project_id=r.project_id, period=r.period, annual_plan__gt=0).exists():
            assert 'data-testid="rate-not-counted"' in page, r
    approved = MonthlyReport.objects.filter(status="approved").select_related("period").order_by("pk").first()
    fill = client.get(f"/dispatch/{approved.period.label}/projects/{approved.project_id}/").content.decode()
    page = client.get(f"/dispatch/reports/{approved.pk}/").content.decode()
    assert "not-counted" not in fill and "not-counted" not in page
    # a filler typing a draft sees it too
    lixia = User.objects.get(username="lixia")
    client.force_login(lixia)
    latest = ReportingPeriod.objects.filter(status="open").order_by("-year", "-month").first()
    mine = MonthlyReport.objects.filter(period=latest, status="draft", project__region_id=lixia.region_id).first()
    if mine is not None:
        html = client.get(f"/dispatch/{latest.label}/projects/{mine.project_id}/").content.decode()
        assert 'data-testid="derived-not-counted"' in html
    schema = client.get("/api/schema/", {"format": "json"}).json()
    props = schema["components"]["schemas"]["Report"]["properties"]
    assert "自身" in props["invested_ytd"]["description"] and "counted" in props
