"""The 双考核双评价 scheme editor: province and city staff write schemes in a form (one row per
indicator: used, weight, direction, rule), validated at the field in Chinese and saved through
the audited service; nobody writes JSON. Directions: "越低越好" scores and ranks the other way."""

from __future__ import annotations

from decimal import Decimal as D

from django.urls import reverse

from keyprojects.analytics.assessment import linear_points, normalise_indicators, score_units
from keyprojects.analytics.models import AssessmentScheme
from keyprojects.analytics.rankings import INDICATORS
from keyprojects.analytics.tests.test_assessment import closed  # noqa: F401  (fixture)
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401  (fixture)
from keyprojects.audit.models import AuditEvent


def rows(**overrides):
    """The formset data: completion_rate 60 + on_time_rate 40 used, the rest not."""
    data = {"ind-TOTAL_FORMS": str(len(INDICATORS)), "ind-INITIAL_FORMS": "0"}
    for n, key in enumerate(INDICATORS):
        data |= {f"ind-{n}-indicator": key, f"ind-{n}-direction": "up", f"ind-{n}-rule": "linear", f"ind-{n}-last_points": "60"}
    keys = list(INDICATORS)
    c, o = keys.index("completion_rate"), keys.index("on_time_rate")
    data |= {f"ind-{c}-used": "on", f"ind-{c}-weight": "60", f"ind-{c}-floor": "0", f"ind-{c}-target": "50"}
    data |= {f"ind-{o}-used": "on", f"ind-{o}-weight": "40", f"ind-{o}-rule": "rank"}
    return data | {k.replace("@", "-"): v for k, v in overrides.items()}


def test_lower_is_better_scores_and_ranks_the_other_way():
    assert linear_points(D(10), D(50), D(0)) == D("80.00")  # 50 → 0 points, 0 → 100 points
    assert linear_points(D(60), D(50), D(0)) == D("0.00") and linear_points(D(-1), D(50), D(0)) == D("100.00")
    items = normalise_indicators([{"indicator": "completion_rate", "weight": 1, "rule": "rank", "direction": "down"}])
    assert items == [{"indicator": "completion_rate", "weight": "1", "rule": "rank", "direction": "down", "last_points": "60"}]
    # an "up" indicator keeps the stored form it always had (no direction key)
    assert "direction" not in normalise_indicators([{"indicator": "completion_rate", "weight": 1, "rule": "rank"}])[0]


def test_province_staff_write_a_scheme_in_the_form(closed, client):  # noqa: F811
    client.force_login(closed.users.province)
    page = client.get(reverse("analytics:assessment")).content.decode()
    assert 'data-testid="new-scheme"' in page
    new = reverse("analytics:assessment_new")
    html = client.get(new).content.decode()
    assert html.count('<tr data-testid="indicator-') == len(INDICATORS) and 'value="370100"' in html  # the province and its cities

    base = {"name": "各市考核", "region": "370000", "unit_kind": "region", "description": "", "is_active": "on"}
    bad = client.post(new, base | rows(**{"ind@0@weight": "50"}))  # 50 + 40
    assert bad.status_code == 400 and "权重合计应为100（现为90）" in bad.content.decode()
    bad = client.post(new, base | rows(**{"ind@0@target": "0"}))
    assert bad.status_code == 400 and 'data-testid="error-completion_rate-target"' in bad.content.decode()
    assert "越高越好：目标值应大于起点" in bad.content.decode()
    bad = client.post(new, base | rows(**{"ind@0@direction": "down", "ind@0@floor": "50", "ind@0@target": "100"}))
    assert "越低越好：目标值应小于起点" in bad.content.decode()
    bad = client.post(new, base | {"region": "370102"} | rows())  # a county is not a range
    assert bad.status_code == 400 and not AssessmentScheme.objects.filter(name="各市考核").exists()

    ok = client.post(new, base | rows(**{"ind@0@direction": "down", "ind@0@floor": "50", "ind@0@target": "0"}))
    scheme = AssessmentScheme.objects.get(name="各市考核")
    assert ok.status_code == 302 and ok["Location"] == reverse("analytics:assessment_scheme", kwargs={"pk": scheme.pk})
    assert scheme.indicators == [
        {"indicator": "completion_rate", "weight": "60", "rule": "linear", "direction": "down", "floor": "50", "target": "0"},
        {"indicator": "on_time_rate", "weight": "40", "rule": "rank", "last_points": "60"},
    ]
    assert AuditEvent.objects.filter(action="config", actor_username="prov", message="新增考核方案").exists()
    html = client.get(ok["Location"]).content.decode()
    assert "越低越好" in html and "线性计分：50 及以上 0 分，0 及以下 100 分" in html

    edit = reverse("analytics:assessment_edit", kwargs={"pk": scheme.pk})
    form = client.get(edit).content.decode()
    assert 'value="各市考核"' in form and 'name="version" value="1"' in form
    changed = client.post(edit, base | {"name": "各市考核（修订）", "version": "1"} | rows())
    scheme.refresh_from_db()
    assert changed.status_code == 302 and scheme.name == "各市考核（修订）" and scheme.version == 2
    stale = client.post(edit, base | {"version": "1"} | rows())
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()


def test_who_may_write_schemes(closed, client):  # noqa: F811
    province_scheme = AssessmentScheme.objects.create(name="省考核", region_id="370000", indicators=normalise_indicators(
        [{"indicator": "completion_rate", "weight": 100, "rule": "rank"}]))  # fmt: skip
    edit_province = reverse("analytics:assessment_edit", kwargs={"pk": province_scheme.pk})
    edit_city = reverse("analytics:assessment_edit", kwargs={"pk": closed.scheme.pk})
    client.force_login(closed.users.city)  # Jinan: its own scheme, not the province's
    assert client.get(edit_city).status_code == 200
    assert client.get(edit_province).status_code == 404
    html = client.get(reverse("analytics:assessment_new")).content.decode()
    assert 'value="370100"' in html and 'value="370000"' not in html
    for user in (closed.users.leader, closed.users.county, closed.users.sysadmin, closed.users.auditor):
        client.force_login(user)
        assert client.get(reverse("analytics:assessment_new")).status_code == 403, user.username  # the role writes no schemes
        assert client.post(edit_city, {"name": "x"} | rows()).status_code == 403, user.username


def test_scores_of_a_lower_is_better_rank(closed):  # noqa: F811
    from keyprojects.analytics.rankings import unit_figures

    config = {"indicators": normalise_indicators([{"indicator": "completion_rate", "weight": 1, "rule": "rank", "direction": "down"}])}
    units = unit_figures(period=closed.p2, kind="region", root=closed.jinan)
    result = score_units(config=config, period=closed.p2, units=units, facts={}, problems={})
    by_key = {u["key"]: u for u in result["units"]}
    assert by_key["370102"]["indicators"][0]["rank"] == 1  # 历下 25%: the lowest rate ranks first


def test_lower_is_better_indicators_are_scored_the_way_the_ranking_ranks_them(closed, client):  # noqa: F811
    """审批超时件数, 审批平均用时 and 要素逾期未保障数 rank lowest first on 比武打擂: a scheme ticking
    one of them starts at 越低越好, the API's default is the same, and 越高越好 (rewarding more
    overdue approvals) is refused at the field."""
    from keyprojects.analytics.forms import indicator_initial

    lower = [k for k, i in INDICATORS.items() if i.lower_better]
    assert set(lower) == {"approval_avg_days", "approvals_overdue", "needs_overdue"}
    initial = {row["indicator"]: row["direction"] for row in indicator_initial(None)}
    assert all(initial[k] == "down" for k in lower) and initial["completion_rate"] == "up"
    assert normalise_indicators([{"indicator": "approvals_overdue", "weight": 1, "rule": "rank"}])[0]["direction"] == "down"
    try:
        normalise_indicators([{"indicator": "needs_overdue", "weight": 1, "rule": "rank", "direction": "up"}])
    except ValueError as exc:
        assert "要素逾期未保障数" in str(exc.args[0]) and "越低越好" in str(exc.args[0])
    else:
        raise AssertionError("越高越好 accepted for 要素逾期未保障数")

    client.force_login(closed.users.province)
    new = reverse("analytics:assessment_new")
    keys = list(INDICATORS)
    a = keys.index("approvals_overdue")
    base = {"name": "审批考核", "region": "370000", "unit_kind": "region", "description": "", "is_active": "on"}
    used = {f"ind@{a}@used": "on", f"ind@{a}@weight": "10", f"ind@{a}@rule": "rank", "ind@0@weight": "50"}
    bad = client.post(new, base | rows(**used, **{f"ind@{a}@direction": "up"}))
    html = bad.content.decode()
    assert bad.status_code == 400 and 'data-testid="error-approvals_overdue-direction"' in html and "越低越好" in html
    assert not AssessmentScheme.objects.filter(name="审批考核").exists()
    ok = client.post(new, base | rows(**used, **{f"ind@{a}@direction": "down"}))
    assert ok.status_code == 302
    stored = {i["indicator"]: i for i in AssessmentScheme.objects.get(name="审批考核").indicators}
    assert stored["approvals_overdue"]["direction"] == "down"
