"""双考核双评价 as the assessed read it: a county (历下区, ``lixia``) assessed by its city's scheme
sees nothing of a result until the city publishes it; then the ranking of every county (名次,
得分) and the explanation of its own score alone, on the page and in the export. It may not
compute, publish or edit. A city assessed by the province's scheme and a department by a 责任单位
scheme read theirs the same way; an enterprise and the administrators are refused the pages.

The data is the ranking world of test_rankings: February is closed for Jinan and the county
scheme 县区考核 computed by the city (``snap`` of test_exports): 槐荫 100.00, 市中 94.67,
天桥 86.67, 历下 64.67.
"""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.analytics.models import AssessmentSnapshot
from keyprojects.analytics.services_assessment import assessment_publish, assessment_snapshot
from keyprojects.analytics.tests.test_assessment import closed, make_scheme  # noqa: F401  (fixtures)
from keyprojects.analytics.tests.test_exports import snap  # noqa: F401
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401
from keyprojects.audit.models import AuditEvent

LIST = reverse("analytics:assessment")


def _urls(scheme, period="2026-02"):
    kwargs = {"pk": scheme.pk, "period": period}
    return {
        "scheme": reverse("analytics:assessment_scheme", kwargs={"pk": scheme.pk}),
        "result": reverse("analytics:assessment_result", kwargs=kwargs),
        "xlsx": reverse("analytics:assessment_xlsx", kwargs=kwargs),
        "publish": reverse("analytics:assessment_publish", kwargs=kwargs),
        "compute": reverse("analytics:assessment_compute", kwargs={"pk": scheme.pk}),
        "edit": reverse("analytics:assessment_edit", kwargs={"pk": scheme.pk}),
    }


def test_a_draft_is_invisible_to_the_county_until_the_city_publishes_it(snap, client):  # noqa: F811
    urls = _urls(snap.scheme)
    client.force_login(snap.users.county)
    html = client.get(LIST).content.decode()
    assert "暂无已发布的考核结果" in html and "县区考核" not in html
    assert 'data-testid="nav-assessment"' in html  # the county's menu leads here
    for name in ("scheme", "result", "xlsx"):
        assert client.get(urls[name]).status_code == 404, name  # an unpublished result does not exist for it

    client.force_login(snap.users.city)  # the range sees the draft as such, and may publish it
    assert 'data-testid="unpublished"' in client.get(LIST).content.decode()
    assert 'data-testid="unpublished"' in client.get(urls["scheme"]).content.decode()
    html = client.get(urls["result"]).content.decode()
    assert "未发布：被考核单位还看不到这份结果" in html and 'data-testid="publish"' in html
    resp = client.post(urls["publish"], follow=True)
    html = resp.content.decode()
    assert resp.redirect_chain[-1][0] == urls["result"] and "被考核单位现在可以查看" in html
    assert 'data-testid="publish"' not in html and "由 jinan 发布" in html
    snapshot = AssessmentSnapshot.objects.get(pk=snap.snapshot.pk)
    assert snapshot.published_at is not None and snapshot.published_by == snap.users.city
    assert snapshot.result == snap.snapshot.result and snapshot.digest == snap.snapshot.digest  # the scores never change
    event = AuditEvent.objects.get(action="assessment_publish")
    assert event.actor_username == "jinan" and event.changes["period"] == "2026-02"
    assert "考核结果已发布" in client.post(urls["publish"], follow=True).content.decode()  # once
    assert AuditEvent.objects.filter(action="assessment_publish").count() == 1
    assert AssessmentSnapshot.objects.get(pk=snap.snapshot.pk).published_at == snapshot.published_at


def test_the_county_reads_the_ranking_and_its_own_explanation(snap, client):  # noqa: F811
    assessment_publish(user=snap.users.city, snapshot=snap.snapshot)
    urls = _urls(snap.scheme)
    client.force_login(snap.users.county)
    html = client.get(LIST).content.decode()
    row = html[html.index('data-testid="own-row"') :]
    assert "县区考核" in row and "4/4" in row and "64.67" in row
    assert 'data-testid="schemes"' not in html  # no scheme of a range of its own

    html = client.get(urls["scheme"]).content.decode()
    assert "线性计分：0 及以下 0 分，50 及以上 100 分" in html  # how it is scored is public
    assert 'data-testid="compute-form"' not in html and 'data-testid="edit-scheme"' not in html
    assert "2026年2月" in html and " 计算" not in html

    page = client.get(urls["result"])
    html = page.content.decode()
    # the published ranking: every county with its rank and score, in order, its own marked
    order = [html.index(f'data-key="{code}"') for code in ("370104", "370103", "370105", "370102")]
    assert order == sorted(order)
    for score in ("100.00", "94.67", "86.67", "64.67"):
        assert score in html
    assert 'data-key="370102" class="table-primary" aria-current="true"' in html
    # its own explanation, down to its project; nobody else's
    own = html[html.index('data-testid="own-result"') : html.index('data-testid="scores"')]
    assert "本单位：历下区" in own and "4/4" in own and "64.67" in own
    assert f'data-project="{snap.projects.own_county.pk}"' in own and "历下区项目" in own
    assert "累计完成 300.00 万元 / 年度计划 1,200.00 万元" in own
    assert 'data-testid="explain"' not in html and "市中区项目" not in html and "槐荫区项目" not in html
    assert html.count("data-project=") == 2 and html.count("data-indicator=") == 2  # its two lines only
    assert [u["lines"] != [] for u in page.context["units"]] == [False, False, False, True]
    assert all(u["indicators"] == [] for u in page.context["units"] if u["key"] != "370102")
    assert 'data-testid="publish"' not in html and "未发布" not in html

    wb = load_workbook(io.BytesIO(client.get(urls["xlsx"]).content))  # the export as the page
    scores = [r[:4] for r in wb["得分与名次"].iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert [r[1] for r in scores] == ["槐荫区", "市中区", "天桥区", "历下区"]
    lines = [r for r in wb["得分说明"].iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert {r[0] for r in lines} == {"历下区"} and len(lines) == 2

    client.force_login(snap.users.sibling)  # 市中区 sees the same ranking, its own explanation
    html = client.get(urls["result"]).content.decode()
    assert "本单位：市中区" in html and "市中区项目" in html and "历下区项目" not in html


def test_the_county_may_not_compute_publish_or_edit(snap, client):  # noqa: F811
    assessment_publish(user=snap.users.city, snapshot=snap.snapshot)
    urls = _urls(snap.scheme)
    client.force_login(snap.users.county)
    assert client.post(urls["compute"], {"period": "2026-02"}).status_code == 404
    assert client.post(urls["publish"]).status_code == 404
    assert client.get(urls["edit"]).status_code == 403 and client.get(reverse("analytics:assessment_new")).status_code == 403
    assert client.get(_urls(snap.scheme, "2026-01")["result"]).status_code == 404  # no result that month
    client.force_login(snap.users.leader)  # the leader reads the range's results, never publishes
    assert client.post(urls["publish"]).status_code == 403
    client.force_login(snap.users.other_city)
    assert client.post(urls["publish"]).status_code == 404
    assert client.get(urls["result"]).status_code == 404  # not its county scheme, not its counties
    for user in (snap.users.enterprise, snap.users.sysadmin, snap.users.auditor):
        client.force_login(user)  # no scheme and no result, published or not
        assert client.get(LIST).status_code == 403, user.username
        assert client.get(urls["result"]).status_code == 403, user.username


def test_a_city_reads_its_own_result_in_the_province_scheme(snap, client):  # noqa: F811
    from keyprojects.dispatch.services import period_close

    period_close(user=snap.users.province, period=snap.p2, confirm="确认关账")
    province_scheme = make_scheme(snap, name="各市考核", region="370000")
    snapshot, _ = assessment_snapshot(user=snap.users.province, scheme=province_scheme, period=snap.p2)
    urls = _urls(province_scheme)
    client.force_login(snap.users.city)
    assert client.get(urls["result"]).status_code == 404  # unpublished
    assert "各市考核" not in client.get(LIST).content.decode()
    assessment_publish(user=snap.users.province, snapshot=snapshot)
    html = client.get(LIST).content.decode()
    assert "各市考核" in html and 'data-testid="schemes"' in html  # its own range's schemes as before
    html = client.get(urls["result"]).content.decode()
    assert "本单位：济南市" in html and 'data-key="370200"' in html and "青岛市南区项目" not in html
    assert client.get(urls["edit"]).status_code == 404  # the province's scheme is not the city's to write
    assert client.post(urls["publish"]).status_code == 404 and client.post(urls["compute"]).status_code == 404
    client.force_login(snap.users.county)  # a county is no unit of the province's scheme
    assert client.get(urls["result"]).status_code == 404


def test_a_department_reads_its_own_result_in_a_department_scheme(snap, client):  # noqa: F811
    scheme = make_scheme(snap, name="部门考核", kind="department")
    snapshot, _ = assessment_snapshot(user=snap.users.city, scheme=scheme, period=snap.p2)
    assert str(snap.dept.pk) in {u["key"] for u in snapshot.result["units"]}
    urls = _urls(scheme)
    client.force_login(snap.users.department)
    assert client.get(urls["result"]).status_code == 404
    assessment_publish(user=snap.users.city, snapshot=snapshot)
    html = client.get(urls["result"]).content.decode()
    assert "本单位：济南市发展和改革委员会" in html and "历下区项目" in html
    assert client.get(_urls(snap.scheme)["result"]).status_code == 404  # the county scheme assesses no department
