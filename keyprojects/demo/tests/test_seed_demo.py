"""``manage.py seed_demo``: deterministic, valid by construction, one login per role."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db.models import Q

from keyprojects.accounts.choices import Role
from keyprojects.accounts.models import User
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import PermissionDenied
from keyprojects.core.testing import data_for_the_module
from keyprojects.core.validators import PROJECT_CODE_RE, is_valid_uscc, project_code_region
from keyprojects.demo import DEMO_COUNTIES, DEMO_USERNAMES, demo_digest, last_day
from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.industries import division_in_section
from keyprojects.projects.models import Project, ProjectEvent, ProjectYear, SponsorLeader
from keyprojects.regions.models import Region, Unit

YEAR, MONTH = 2024, 2  # the seed newspaper's month: the real projects stand as the article describes them
AS_OF = last_day(YEAR, MONTH)
N = 300
STARTED = {"construction", "completed", "production", "effective"}


def seed(**options: object) -> str:
    out = io.StringIO()
    opts = {"projects": N, "seed": 7, "year": YEAR, "month": MONTH, "verbosity": 0, "interactive": False, **options}
    call_command("seed_demo", stdout=out, **opts)
    return out.getvalue()


def logins(output: str) -> dict[str, str]:
    """username -> password from the printed table."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("用户名")) + 2
    return {line.split()[0]: line.split()[-1] for line in lines[start:] if line.strip() and not line.startswith("注意")}


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo seeded once for the module's tests that read it (each test's changes roll back)."""
    yield from data_for_the_module(django_db_blocker, seed)


@pytest.fixture
def seeded(_seeded_once, db) -> str:
    return _seeded_once


def test_same_seed_gives_the_same_data_whatever_the_batch_size(db):
    seed()
    first = demo_digest()
    names = list(Project.objects.order_by("id").values_list("name", "project_code", "total_investment"))
    # The demo's 政企服务 and 招商 steps go through the services, which audit each step (issues 15
    # and 16), the registration of a signing investor's project company and the 考核 results computed
    # and published by the demo's province and city staff too; the rest of the seed is one audit event.
    seeded_steps = Q(action__startswith="request.") | Q(action__startswith="meeting.")
    seeded_steps |= Q(action__startswith="lead.") | Q(action__startswith="activity.") | Q(action__startswith="agreement.")
    seeded_steps |= Q(action__startswith="commitment.")
    seeded_steps |= Q(action="create", object_type="enterprises.enterprise")  # 招商: a signing investor's project company
    seeded_steps |= Q(action__in=["assessment_compute", "assessment_publish"])  # demo.assessment
    audit_before = AuditEvent.objects.exclude(seeded_steps).count()
    seed(reset=True, batch_size=100)  # deletes the business data, keeps the audit log
    assert demo_digest() == first
    assert list(Project.objects.order_by("id").values_list("name", "project_code", "total_investment")) == names
    assert AuditEvent.objects.exclude(seeded_steps).count() == audit_before + 1
    seed(reset=True, seed=8)
    assert demo_digest() != first


def test_identifiers_are_valid(seeded):
    regions = set(Region.objects.values_list("code", flat=True))
    for name, uscc, region in Enterprise.objects.values_list("name", "uscc", "region_id"):
        assert is_valid_uscc(uscc), (name, uscc)
        assert uscc[2:8] == region, (name, uscc)
    codes = list(Project.objects.values_list("project_code", "region_id"))
    with_code = [(c, r) for c, r in codes if c]
    assert len(with_code) >= 0.8 * len(codes)
    assert len({c for c, _ in with_code}) == len(with_code)
    for code, region in with_code:
        assert PROJECT_CODE_RE.match(code), code
        assert project_code_region(code) in regions and project_code_region(code) == region


def test_regions_industries_units(seeded):
    region = {r.code: r for r in Region.objects.filter(province_code="370000")}
    projects = list(Project.objects.select_related("zone", "responsible_unit", "sponsor_leader"))
    assert len(projects) == N
    for p in projects:
        r = region[p.region_id]
        assert r.level in ("city", "county")
        assert (p.province_code, p.city_code) == (r.province_code, r.city_code), p.name
        assert p.industry_section and division_in_section(p.industry_division, p.industry_section), p.name
        assert p.zone is None or (p.zone.kind == "zone" and p.zone.region_id == p.city_code)
        assert p.responsible_unit is None or p.responsible_unit.region_id in (p.region_id, p.city_code, "370000")
        assert p.sponsor_leader is None or p.sponsor_leader.region_id in (p.region_id, p.city_code)
    assert {p.city_code for p in projects} == {c for c, r in region.items() if r.level == "city"}  # all 16 cities
    assert Unit.objects.filter(kind="zone", name="济南新旧动能转换起步区", region_id="370100").exists()
    assert Unit.objects.filter(kind="department", name="济南市发展和改革委员会").exists()
    assert SponsorLeader.objects.filter(region_id="370100", title="市长").count() == 1


def test_dates_stages_and_history(seeded):
    events = defaultdict(list)
    for e in ProjectEvent.objects.order_by("at", "id"):
        events[e.project_id].append(e)
    for p in Project.objects.all():
        if p.planned_start and p.planned_completion:
            assert p.planned_completion >= p.planned_start, p.name
        if p.actual_completion:
            assert p.actual_start and p.actual_completion >= p.actual_start, p.name
        for d in (p.actual_start, p.actual_completion):
            assert d is None or d <= AS_OF, p.name
        reached = p.stage_before_suspension if p.stage == "suspended" else p.stage
        assert (p.actual_start is not None) == (reached in STARTED), p.name
        assert (p.actual_completion is not None) == (reached in {"completed", "production", "effective"}), p.name
        assert (p.stage == "suspended") == bool(p.stage_before_suspension)
        # the history starts with "created", links stage to stage and ends in the current stage
        history = events[p.pk]
        assert history[0].kind == "created" and history[0].to_stage == "reserve"
        for before, after in itertools.pairwise(history):
            assert after.from_stage == before.to_stage and after.at > before.at
        assert history[-1].to_stage == p.stage, p.name
        assert all(e.reason for e in history if e.kind in ("suspended", "cancelled"))


def test_amounts_plans_and_lists(seeded):
    years = defaultdict(dict)
    for y in ProjectYear.objects.all():
        years[y.project_id][y.year] = y
    this_year = [rows[YEAR] for rows in years.values() if YEAR in rows]
    for p in Project.objects.all():
        assert Decimal(500) <= p.total_investment <= Decimal(1_000_000)
        rows = years[p.pk]
        assert rows, p.name
        assert sum(y.annual_plan for y in rows.values()) <= p.total_investment, p.name
        if YEAR not in rows:  # only the 山东港口 projects completed last year
            assert p.actual_completion.year == YEAR - 1
        if p.in_statistics:
            assert p.total_investment >= 500 and p.actual_start
        if hasattr(p, "invested_before"):
            assert 0 <= p.invested_before <= p.total_investment - rows.get(YEAR, ProjectYear(annual_plan=0)).annual_plan
        if p.latitude is not None:
            assert 34.3 <= p.latitude <= 38.5 and 114.7 <= p.longitude <= 122.8, p.name
    n = len(this_year)
    share = {lvl: sum(getattr(y, f"on_{lvl}_list") for y in this_year) / n for lvl in ("province", "city", "county")}
    assert 0.08 <= share["province"] <= 0.25 and 0.25 <= share["city"] <= 0.6 and 0.35 <= share["county"] <= 0.75, share
    assert all(y.on_province_list or y.on_city_list or y.on_county_list for y in this_year)
    assert sum(y.levels.__len__() > 1 for y in this_year) > 0.1 * n  # some projects on several lists
    started = Project.objects.exclude(actual_start=None)
    assert started.filter(in_statistics=True).count() > 0.8 * started.count()


def test_real_projects_of_the_seed(seeded):
    expected = {
        "比亚迪新能源乘用车及零部件产业园项目（二期）": "370100",
        "国家管网龙口南山LNG接收站一期工程": "370681",
        "山东极电电动电池总成项目": "370400",
        "蓝拓氢能绿氢装备智造项目": "371103",
        "日照自动驾驶区域运营基地项目": "371100",
        "日照数字金融与黄河流域发展联合实验室": "371100",
        "山东达民化工1万吨哌嗪和7万吨高胺项目": "371603",
    }
    real = {p.name: p for p in Project.objects.filter(name__in=expected).select_related("zone", "owner")}
    assert {name: p.region_id for name, p in real.items()} == expected
    byd = real["比亚迪新能源乘用车及零部件产业园项目（二期）"]
    assert byd.zone.name == "济南新旧动能转换起步区" and byd.stage == "construction"
    assert real["蓝拓氢能绿氢装备智造项目"].total_investment == Decimal(35000)
    assert real["山东达民化工1万吨哌嗪和7万吨高胺项目"].owner.name == "山东达民化工股份有限公司"
    lng = real["国家管网龙口南山LNG接收站一期工程"]
    assert lng.stage == "construction" and lng.nature == "completing" and lng.planned_completion == dt.date(YEAR, 10, 31)
    assert "91.65%" in lng.content
    port = Project.objects.filter(owner__name="山东港口青岛港集团有限公司")
    assert port.count() == 32 and all(p.city_code == "370200" for p in port)
    assert sum(p.total_investment for p in port) == Decimal(7_548_500)  # 754.85亿元
    done = port.filter(actual_completion__year=YEAR - 1)
    assert done.count() == 14 and sum(p.total_investment for p in done) == Decimal(1_283_500)


def test_one_login_per_role_printed_once(seeded):
    printed = logins(seeded)
    assert set(printed) == set(DEMO_USERNAMES)
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("unit", "enterprise")}
    assert {u.role for u in users.values()} >= set(Role.values) - {Role.PENDING}  # (no rights: no demo login)
    for username, password in printed.items():
        user = users[username]
        assert user.check_password(password) and not user.must_change_password and user.is_active
        validate_password(password)  # length, 3 of 4 character classes, not common
        assert username in seeded
    assert users["admin"].is_superuser
    assert users["province"].region_id == "370000" and users["jinan"].region_id == "370100"
    assert users["lixia"].region_id == "370102"
    assert (users["lixia_sh"].role, users["lixia_sh"].region_id) == ("county", "370102")  # 历下区's second account
    assert users["jinan_fgw"].unit.name == "济南市发展和改革委员会" and users["jinan_fgw"].unit.kind == "department"
    assert Project.objects.filter(owner=users["byd"].enterprise, name__startswith="比亚迪").exists()
    assert users["leader"].region_id == "370100" and users["leader"].sponsor.region_id == "370100"
    # each scoped login sees something
    for username in ("province", "jinan", "lixia", "jinan_fgw", "byd", "leader"):
        assert Project.objects.visible_to(users[username]).exists(), username


def test_in_every_demo_county_one_account_fills_and_another_approves(seeded):
    """Four eyes in the demo (issue 10): each county with demo logins has two county accounts; a
    report the filler (lixia in 历下区) fills and submits waits at the county for the other one,
    never for the filler, and the other one approves it."""
    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.dispatch.selectors import due_projects, reports_for_review
    from keyprojects.dispatch.services import can_review, report_review, report_save, report_submit

    county_logins = User.objects.filter(username__in=DEMO_USERNAMES, role="county").order_by("username")
    assert {u.region_id for u in county_logins} == set(DEMO_COUNTIES) == {"370102"}
    period = ReportingPeriod.objects.order_by("-year", "-month").first()
    done = period.reports.filter(status__in=["submitted", "approved"]).values("project_id")
    for county in DEMO_COUNTIES:
        accounts = [u for u in county_logins if u.region_id == county]
        assert len(accounts) == 2, county
        filler, approver = sorted(accounts, key=lambda u: u.username.endswith("_sh"))  # lixia fills, lixia_sh reviews
        assert filler != approver and approver.first_name == "县级审核人员"
        project = due_projects(period=period, user=filler).filter(region_id=county).exclude(pk__in=done).order_by("pk").first()
        r = report_save(user=filler, project=project, period=period, data={"invested_month": "12"})
        r = report_submit(user=filler, report=r)
        assert r.pending_level == "county" and not can_review(filler, r) and can_review(approver, r)
        assert r in reports_for_review(user=approver) and r not in reports_for_review(user=filler)
        with pytest.raises(PermissionDenied):
            report_review(user=filler, report=r, action="approve")
        r = report_review(user=approver, report=r, action="approve")
        assert r.status == "approved" or (r.status == "submitted" and r.pending_level != "county")


def test_refuses_existing_data_unless_asked(seeded):
    before = Project.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        seed()
    note = seed(if_empty=True)
    assert "--reset-passwords" in note and "演示账号（密码" not in note  # no logins printed
    assert Project.objects.count() == before
    old = logins(seeded)
    new = logins(seed(reset_passwords=True))
    assert set(new) == set(old) and all(new[u] != old[u] for u in old)
    assert User.objects.get(username="lixia").check_password(new["lixia"])
