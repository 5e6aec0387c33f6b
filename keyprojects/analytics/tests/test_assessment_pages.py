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
    client.force_login(closed.users.county)
    assert client.get(reverse("analytics:assessment")).status_code == 403  # the role may not open the page
