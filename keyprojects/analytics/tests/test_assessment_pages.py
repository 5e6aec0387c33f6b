"""双考核双评价 pages: the scheme list in the user's range, computing a closed month (an open one
is refused with a message), the stored result with every score explained down to the projects."""

from __future__ import annotations

from django.urls import reverse

from keyprojects.analytics.models import AssessmentSnapshot
from keyprojects.analytics.tests.test_assessment import closed, make_scheme  # noqa: F401  (fixtures)
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401


def test_compute_and_read_the_explanation(closed, client):  # noqa: F811
    client.force_login(closed.users.city)
    html = client.get(reverse("analytics:assessment")).content.decode()
    assert "县区考核" in html and "尚未计算" in html
    scheme_url = reverse("analytics:assessment_scheme", kwargs={"pk": closed.scheme.pk})
    html = client.get(scheme_url).content.decode()
    assert 'data-testid="compute-form"' in html and 'value="2026-02"' in html and 'value="2026-03"' not in html
    assert "线性计分：0 及以下 0 分，50 及以上 100 分" in html

    compute = reverse("analytics:assessment_compute", kwargs={"pk": closed.scheme.pk})
    resp = client.post(compute, {"period": "2026-03"}, follow=True)
    assert "尚未关账" in resp.content.decode() and not AssessmentSnapshot.objects.exists()
    resp = client.post(compute, {"period": "2026-02"})
    result_url = reverse("analytics:assessment_result", kwargs={"pk": closed.scheme.pk, "period": "2026-02"})
    assert resp.status_code == 302 and resp["Location"] == result_url
    html = client.get(result_url).content.decode()
    order = [html.index(f'data-key="{code}"') for code in ("370104", "370103", "370105", "370102")]
    assert order == sorted(order)
    assert "64.67" in html and "94.67" in html
    assert f'data-project="{closed.projects.own_county.pk}"' in html and "历下区项目" in html
    assert "累计完成 300.00 万元 / 年度计划 1,200.00 万元" in html
    client.post(compute, {"period": "2026-02"})
    assert AssessmentSnapshot.objects.count() == 1


def test_scope_of_the_pages(closed, client):  # noqa: F811
    province_scheme = make_scheme(closed, name="各市考核", region="370000")
    result_url = reverse("analytics:assessment_result", kwargs={"pk": closed.scheme.pk, "period": "2026-02"})
    client.force_login(closed.users.leader)  # reads, does not compute
    html = client.get(reverse("analytics:assessment_scheme", kwargs={"pk": closed.scheme.pk})).content.decode()
    assert 'data-testid="compute-form"' not in html
    assert client.post(reverse("analytics:assessment_compute", kwargs={"pk": closed.scheme.pk}), {"period": "2026-02"}).status_code == 302
    assert not AssessmentSnapshot.objects.exists()
    assert client.get(result_url).status_code == 404  # nothing computed yet
    client.force_login(closed.users.city)
    assert client.get(reverse("analytics:assessment_scheme", kwargs={"pk": province_scheme.pk})).status_code == 404
    html = client.get(reverse("analytics:assessment")).content.decode()
    assert "各市考核" not in html
    client.force_login(closed.users.other_city)
    assert client.get(reverse("analytics:assessment_scheme", kwargs={"pk": closed.scheme.pk})).status_code == 404
    client.force_login(closed.users.county)  # assessed by the city's scheme: nothing published yet
    html = client.get(reverse("analytics:assessment")).content.decode()
    assert "暂无已发布的考核结果" in html and "县区考核" not in html
    client.force_login(closed.users.enterprise)
    assert client.get(reverse("analytics:assessment")).status_code == 403  # the role may not open the page


def test_the_units_are_named_as_the_scheme_assesses_them(closed, client):  # noqa: F811
    """A province's region scheme assesses its 市, a city's its 区县（市）: the list, the scheme
    page, the form and the export said 区县（市） or 区域 whatever the scheme."""
    from keyprojects.analytics.exports import assessment_subtitle
    from keyprojects.dispatch.models import ReportingPeriod

    province_scheme = make_scheme(closed, name="各市考核", region="370000")
    assert (province_scheme.unit_kind_label, closed.scheme.unit_kind_label) == ("市", "区县（市）")
    client.force_login(closed.users.province)
    html = client.get(reverse("analytics:assessment_scheme", kwargs={"pk": province_scheme.pk})).content.decode()
    assert "考核对象：市" in html and "区域" not in html
    html = client.get(reverse("analytics:assessment_scheme", kwargs={"pk": closed.scheme.pk})).content.decode()
    assert "考核对象：区县（市）" in html
    html = client.get(reverse("analytics:assessment")).content.decode()
    assert "<td>市</td>" in html and "<td>区县（市）</td>" in html
    # the form: the range chosen names the units
    html = client.get(reverse("analytics:assessment_new")).content.decode()  # the province's own range first
    assert '<option value="region" selected>市</option>' in html
    html = client.get(reverse("analytics:assessment_edit", kwargs={"pk": closed.scheme.pk})).content.decode()
    assert '<option value="region" selected>区县（市）</option>' in html
    # the export's subtitle
    period = ReportingPeriod.objects.order_by("year", "month").first()
    assert "考核对象：市" in assessment_subtitle(scheme=province_scheme, snapshot=AssessmentSnapshot(period=period))
    assert "考核对象：区县（市）" in assessment_subtitle(scheme=closed.scheme, snapshot=AssessmentSnapshot(period=period))


def test_who_computed_and_published_is_named_as_everywhere_else(closed, client):  # noqa: F811
    """The scheme's list of results and the result page name the person (``|person``: the full
    name), not the login name."""
    city = closed.users.city
    city.first_name, city.last_name = "", "王市审"
    city.save(update_fields=["first_name", "last_name"])
    client.force_login(city)
    client.post(reverse("analytics:assessment_compute", kwargs={"pk": closed.scheme.pk}), {"period": "2026-02"})
    client.post(reverse("analytics:assessment_publish", kwargs={"pk": closed.scheme.pk, "period": "2026-02"}))
    assert AssessmentSnapshot.objects.get().published_at is not None
    scheme = client.get(reverse("analytics:assessment_scheme", kwargs={"pk": closed.scheme.pk})).content.decode()
    result = client.get(reverse("analytics:assessment_result", kwargs={"pk": closed.scheme.pk, "period": "2026-02"})).content.decode()
    assert "由 王市审 计算" in scheme and f"由 {city.username} 计算" not in scheme
    assert "由 王市审 发布" in result and f"由 {city.username} 发布" not in result
