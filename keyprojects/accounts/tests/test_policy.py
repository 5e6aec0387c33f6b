"""The permission policy, role by role (keyprojects/accounts/policy.py).

Each table lists every role of the shared ``world`` fixture (conftest.py); a new role must be
added to every table (the completeness test fails otherwise).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory, override_settings

from keyprojects.accounts import policy
from keyprojects.accounts.choices import Role
from keyprojects.accounts.context_processors import UserPolicy
from keyprojects.accounts.context_processors import policy as policy_context
from keyprojects.core.testing import make_user
from keyprojects.regions.models import Region

ROLES = ("province", "city", "county", "department", "enterprise", "leader", "sysadmin", "secadmin", "auditor", "superuser")
P, C, CO, D, E, L, SA, SE, AU, SU = ROLES


def users(world):
    return {name: getattr(world.users, name) for name in ROLES}


def check(world, fn, allowed, *args, **kwargs):
    got = {name for name, user in users(world).items() if fn(user, *args, **kwargs)}
    assert got == set(allowed), fn.__name__


def test_every_role_has_a_place_in_the_groups():
    grouped = policy.BUSINESS_ROLES | policy.ADMIN_ROLES | {Role.PENDING}  # pending: no rights until assigned
    assert grouped == set(Role.values)
    assert not policy.BUSINESS_ROLES & policy.ADMIN_ROLES
    assert {u for u in ROLES if u != "superuser"} == set(Role.values) - {Role.PENDING}
    assert {Role.LEADER, Role.PENDING} | policy.ADMIN_ROLES == policy.READ_ONLY_ROLES
    assert policy.REVIEW_LEVELS == ("county", "city", "province")


@pytest.mark.parametrize(
    ("fn", "allowed"),
    [
        (policy.is_read_only, {L, SA, SE, AU}),
        (policy.is_administrator, {SA, SE, AU}),
        (policy.can_see_business_data, {P, C, CO, D, E, L, SU}),
        (policy.can_fill, {P, C, CO, D, E, SU}),
        (policy.can_create_project, {P, C, CO, D, SU}),
        (policy.can_write_years, {P, C, CO, D, SU}),
        (policy.can_change_stage, {P, C, CO, D, SU}),
        (policy.can_plan_months, {P, C, CO, D, SU}),
        (policy.can_import, {P, C, CO, D, SU}),
        (policy.can_create_enterprise, {P, C, CO, SU}),
        (policy.can_register_owner, {P, C, CO, SU}),
        (policy.can_review, {P, C, CO, SU}),
        (policy.can_close, {P, C, SU}),
        (policy.can_assess, {P, C, SU}),
        (policy.can_read_reports, {P, C, L, SU}),
        (policy.can_publish_assessment, {P, C, SU}),
        (policy.can_read_own_assessment, {C, CO, D, L}),  # the assessed: a city, a county, a department
        (policy.can_see_board, {P, C, CO, L, SU}),
        (policy.can_manage_accounts, {SA, SU}),
        (policy.can_assign_roles, {SE, SU}),
        (policy.can_grant_superuser, {SU}),
        (policy.can_view_lockouts, {SA, SE, SU}),
        (policy.can_read_audit, {AU, SU}),
        (policy.can_manage_config, {P, SU}),
    ],
)
def test_capabilities_per_role(world, fn, allowed):
    check(world, fn, allowed)
    assert not fn(AnonymousUser())
    assert fn(None) is (fn in (policy.can_import, policy.can_register_owner))  # None: the command line


def test_review_levels(world):
    got = {name: policy.review_level(u) for name, u in users(world).items()}
    assert got == {P: "province", C: "city", CO: "county", D: None, E: None, L: None, SA: None, SE: None, AU: None, SU: None}
    check(world, policy.can_review, {CO, SU}, "county")
    check(world, policy.can_review, {C, SU}, "city")
    check(world, policy.can_review, {P, SU}, "province")


def test_can_fill_a_project_needs_it_in_the_editable_scope(world):
    own = world.projects.own_county
    check(world, policy.can_fill, {P, C, CO, D, E, SU}, own)
    check(world, policy.can_fill, {P, C, SU}, world.projects.sibling_county)
    check(world, policy.can_fill, {P, SU}, world.projects.other_city)


def test_can_plan_months_of_a_project_needs_it_in_the_editable_scope(world):
    check(world, policy.can_plan_months, {P, C, CO, D, SU}, world.projects.own_county)
    check(world, policy.can_plan_months, {P, C, SU}, world.projects.sibling_county)
    check(world, policy.can_plan_months, {P, SU}, world.projects.other_city)


def test_can_close_a_region(world):
    jinan, qingdao = Region.objects.get(code="370100"), Region.objects.get(code="370200")
    check(world, policy.can_close, {P, C, SU}, jinan)
    check(world, policy.can_close, {P, SU}, qingdao)


def test_project_fields_per_role(world):
    from keyprojects.projects.services import PROJECT_FIELDS

    u = world.users
    for user in (u.province, u.city, u.superuser):
        assert policy.project_writable_fields(user) == list(PROJECT_FIELDS)
    assert policy.project_writable_fields(u.county) == [f for f in PROJECT_FIELDS if f != "region"]
    assert set(PROJECT_FIELDS) - set(policy.project_writable_fields(u.department)) == {"region", "zone", "responsible_unit"}
    assert policy.project_writable_fields(u.enterprise) == ["location", "content", "contact_name", "contact_phone", "latitude", "longitude"]
    for user in (u.leader, u.sysadmin, u.secadmin, u.auditor):
        assert policy.project_writable_fields(user) == []
    assert policy.can_edit_project_field(u.city, "region")
    assert not policy.can_edit_project_field(u.county, "region")
    assert policy.can_edit_project_field(u.county, "name")
    assert policy.can_edit_project_field(u.enterprise, "content")
    assert not policy.can_edit_project_field(u.enterprise, "name")
    assert policy.project_writable_fields(u.county, ["region", "name"]) == ["name"]


def test_enterprise_fields_per_role(world):
    from keyprojects.enterprises.services import ENTERPRISE_FIELDS

    u = world.users
    for user in (u.province, u.city, u.superuser):
        assert policy.enterprise_writable_fields(user, ENTERPRISE_FIELDS) == ENTERPRISE_FIELDS
        assert policy.enterprise_writable_fields(user, ENTERPRISE_FIELDS, creating=True) == ENTERPRISE_FIELDS
    assert policy.enterprise_writable_fields(u.county, ENTERPRISE_FIELDS) == [f for f in ENTERPRISE_FIELDS if f != "region"]
    own = policy.enterprise_writable_fields(u.enterprise, ENTERPRISE_FIELDS)
    assert set(own) == {"address", "legal_representative", "industry_section", "industry_division"}
    assert policy.enterprise_writable_fields(u.enterprise, ENTERPRISE_FIELDS, creating=True) == []
    for user in (u.department, u.leader, u.sysadmin, u.secadmin, u.auditor):
        assert policy.enterprise_writable_fields(user, ENTERPRISE_FIELDS) == []


def test_home_and_scope_regions(world):
    homes = {name: getattr(policy.home_region(u), "code", None) for name, u in users(world).items()}
    assert homes == {P: "370000", C: "370100", CO: "370102", D: "370100", E: None, L: "370100", SA: None, SE: None, AU: None, SU: None}
    scopes = {name: getattr(policy.scope_region(u), "code", None) for name, u in users(world).items()}
    assert scopes == {**homes, D: None}
    assert policy.home_region(None) is None and policy.home_region(AnonymousUser()) is None


def test_work_region_of_a_superuser_is_the_configured_province(world):
    assert policy.work_region(world.users.city).code == "370100"
    assert policy.work_region(world.users.superuser).code == "370000"
    assert policy.work_region(world.users.enterprise) is None
    with override_settings(KEYPROJECTS_PROVINCE_CODE="370100"):  # any division the table holds
        assert policy.province_code() == "370100"
        assert policy.work_region(world.users.superuser).code == "370100"
    world.users.superuser.region_id = "370200"
    assert policy.work_region(world.users.superuser).code == "370200"


def test_regions_below(world):
    u = world.users
    province = set(policy.regions_below(u.province).values_list("code", flat=True))
    assert {"370000", "370100", "370102", "370202"} <= province
    assert not any(c[:2] != "37" for c in province)
    city = set(policy.regions_below(u.city).values_list("code", flat=True))
    assert "370100" in city and "370102" in city and "370103" in city
    assert "370200" not in city and "370000" not in city
    assert set(policy.regions_below(u.county).values_list("code", flat=True)) == {"370102"}
    assert set(policy.regions_below(u.department).values_list("code", flat=True)) == city  # the unit's city
    assert not policy.regions_below(u.enterprise).exists()
    assert not policy.regions_below(u.auditor).exists()
    assert policy.regions_below(u.superuser).count() == Region.objects.count()


def test_region_in_scope_and_rows(world):
    u = world.users
    lixia, shizhong, qingdao = (Region.objects.get(code=c) for c in ("370102", "370103", "370200"))
    assert policy.region_in_scope(u.city, lixia) and policy.region_in_scope(u.city, shizhong)
    assert not policy.region_in_scope(u.city, qingdao)
    assert policy.region_in_scope(u.county, lixia) and not policy.region_in_scope(u.county, shizhong)
    assert policy.region_in_scope(u.superuser, qingdao)
    assert not policy.region_in_scope(u.enterprise, lixia)
    from keyprojects.projects.models import Project

    assert set(Project.objects.filter(policy.scope_q(u.city)).values_list("name", flat=True)) == {
        "历下区项目",
        "市中区项目",
        "济南市本级项目",
    }
    assert not Project.objects.filter(policy.scope_q(u.department)).exists()
    assert set(Project.objects.filter(policy.region_rows_q(lixia)).values_list("name", flat=True)) == {"历下区项目"}


def test_report_region(world):
    got = {name: getattr(policy.report_region(u), "code", None) for name, u in users(world).items()}
    assert got == {P: "370000", C: "370100", CO: None, D: None, E: None, L: "370100", SA: None, SE: None, AU: None, SU: "370000"}


def test_who_is_assessed_in_a_scheme(world):
    """The key a user's own unit has in a scheme's results: a county in its city's region
    scheme, a city (staff and leaders) in the province's, a department's staff in a scheme of its
    unit's kind over a region containing the unit; nobody else, never an administrator."""
    province, jinan, qingdao = (Region.objects.get(code=c) for c in ("370000", "370100", "370200"))

    def keys(kind, region):
        return {name: key for name, u in users(world).items() if (key := policy.assessed_key(u, unit_kind=kind, region=region))}

    assert keys("region", jinan) == {CO: "370102"}  # the city assesses its counties, not itself
    assert policy.assessed_key(world.users.sibling, unit_kind="region", region=jinan) == "370103"
    assert keys("region", province) == {C: "370100", L: "370100"}  # the county is no unit of the province's
    assert keys("region", qingdao) == {}
    assert keys("department", jinan) == {D: str(world.dept.pk)}
    assert keys("department", province) == {D: str(world.dept.pk)}  # the province's scheme over its units
    assert keys("department", qingdao) == {} and keys("zone", jinan) == {}  # 发改委 is no 功能区
    zone_staff = make_user("qibuqu", "department", unit=world.zone)
    assert policy.assessed_key(zone_staff, unit_kind="zone", region=jinan) == str(world.zone.pk)
    assert policy.assessed_key(zone_staff, unit_kind="department", region=jinan) is None
    county_leader = make_user("lixia_leader", "leader", region="370102")
    assert policy.can_read_own_assessment(county_leader) and policy.report_region(county_leader) is None
    assert policy.assessed_key(county_leader, unit_kind="region", region=jinan) == "370102"
    world.users.county.is_active = False
    assert policy.assessed_key(world.users.county, unit_kind="region", region=jinan) is None
    assert policy.assessed_key(AnonymousUser(), unit_kind="region", region=jinan) is None


def test_who_publishes_a_result(world):
    """Who computes a scheme's result publishes it: its range's province or city staff."""
    jinan, qingdao, province = (Region.objects.get(code=c) for c in ("370100", "370200", "370000"))
    check(world, policy.can_publish_assessment, {P, C, SU}, jinan)
    check(world, policy.can_publish_assessment, {P, SU}, qingdao)
    check(world, policy.can_publish_assessment, {P, SU}, province)


def test_templates_ask_the_policy_through_the_context_processor(world):
    request = RequestFactory().get("/")
    request.user = world.users.county
    ctx = policy_context(request)
    assert isinstance(ctx["policy"], UserPolicy)
    tpl = Template("{% if policy.can_import %}import{% endif %}|{% if policy.can_close %}close{% endif %}|{{ policy.review_level }}")
    assert tpl.render(Context(ctx)) == "import||county"
    request.user = AnonymousUser()
    assert tpl.render(Context(policy_context(request))) == "||None"
    assert Template("{{ policy.nonsense }}|{{ policy.province_region }}").render(Context(ctx)) == "|"


def test_the_menu_shows_what_the_policy_allows(world, client):
    """base.html and the dispatch tabs ask ``policy``: each role sees exactly its entries."""
    from django.urls import reverse

    for name, user in users(world).items():
        if not policy.can_see_business_data(user):
            continue  # administrators never open the registry
        client.force_login(user)
        html = client.get(reverse("projects:list")).content.decode()
        assert ('data-testid="nav-import"' in html) is policy.can_import(user), name
        assert ('data-testid="nav-analysis"' in html) is policy.can_read_reports(user), name
        # the assessed who read no reports (a county, a department) have their own 考核结果 entry
        own = policy.can_read_own_assessment(user) and not policy.can_read_reports(user)
        assert ('data-testid="nav-assessment"' in html) is own, name
        assert (f'href="{reverse("audit:list")}"' in html) is policy.can_read_audit(user), name
        # no dead ends: 审核 only for reviewers, 我的任务 only for who fills or reviews
        assert ('data-testid="nav-review"' in html) is policy.can_review(user), name
        assert ('data-testid="nav-tasks"' in html) is (policy.can_fill(user) or policy.can_review(user)), name
        tabs = client.get(reverse("dispatch:warnings")).content.decode()
        assert (f'href="{reverse("dispatch:board_latest")}"' in tabs.split('data-testid="dispatch-nav"')[1]) is policy.can_see_board(
            user
        ), name
        assert (f'href="{reverse("dispatch:review")}"' in tabs.split('data-testid="dispatch-nav"')[1]) is policy.can_review(user), name
    for name, shown in (("enterprise", False), ("leader", False), ("department", False), ("county", True), ("city", True)):
        client.force_login(getattr(world.users, name))
        html = client.get(reverse("projects:list")).content.decode()
        assert ('data-testid="nav-review"' in html) is shown, name
        assert ('data-testid="nav-tasks"' in html) is (name != "leader"), name
    client.force_login(world.users.leader)  # the page itself still answers, with its note
    page = client.get(reverse("dispatch:tasks"))
    assert page.status_code == 200 and "您的角色只能查看，不能填报月报。" in page.content.decode()
    client.force_login(world.users.enterprise)
    page = client.get(reverse("dispatch:review"))
    assert page.status_code == 200 and "您的角色不参与月报审核" in page.content.decode()
    client.force_login(world.users.auditor)
    html = client.get(reverse("audit:list")).content.decode()
    assert f'href="{reverse("audit:list")}"' in html
    assert 'data-testid="nav-import"' not in html and 'data-testid="nav-analysis"' not in html


def test_import_scope(world):
    """The region an import's rows must fall in: the one asked for within the uploader's own,
    else the uploader's own (a county's county, a department's unit region, a city's city)."""
    u = world.users
    province, jinan, lixia, shizhong, qingdao = (Region.objects.get(code=c) for c in ("370000", "370100", "370102", "370103", "370200"))

    def code(user, asked=None):
        return getattr(policy.import_scope(user, asked), "code", None)

    assert code(None) is None and code(None, province) == "370000" and code(u.superuser, lixia) == "370102"
    assert code(u.province) == "370000" and code(u.province, qingdao) == "370200"
    assert code(u.city) == "370100" and code(u.city, lixia) == "370102" and code(u.city, qingdao) == "370100"
    assert code(u.county) == "370102" and code(u.county, shizhong) == "370102" and code(u.county, jinan) == "370102"
    assert code(u.department) == "370100" and code(u.department, lixia) == "370102"


def test_a_county_leader_has_no_analysis_menu_but_its_assessment_results(world, client):
    """A leader whose region is a county reads no province or city rankings (those pages answer
    403): the menu offers 考核结果 (its county's published results), never 分析 → 排名/通报."""
    from django.urls import reverse

    leader = make_user("lx_leader", "leader", region="370102")
    assert policy.report_region(leader) is None
    assert not policy.can_read_reports(leader)
    assert policy.can_read_own_assessment(leader)
    client.force_login(leader)
    html = client.get(reverse("projects:list")).content.decode()
    assert 'data-testid="nav-analysis"' not in html
    assert 'data-testid="nav-assessment"' in html
    assert client.get(reverse("analytics:rankings")).status_code == 403
    assert client.get(reverse("analytics:bulletin")).status_code == 403
    assert client.get(reverse("analytics:assessment")).status_code == 200
