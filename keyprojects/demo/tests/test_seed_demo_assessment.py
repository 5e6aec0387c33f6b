"""双考核 in the demo as its county login reads it right after seeding: 济南市 (``jinan``) has
computed and published its county scheme's result of the closed month before the last (audited
under jinan, a city's staff, as its office would), so 历下区 (``lixia``) reads every county's rank
and score and its own explanation under 考核结果, nobody else's, and may not compute, publish or
edit. The last closed month is computed but not published: invisible to lixia until jinan
presses 发布. The province's scheme assesses the cities (published by ``province``), not lixia."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from keyprojects.accounts.models import User
from keyprojects.analytics.models import AssessmentScheme, AssessmentSnapshot
from keyprojects.audit.models import AuditEvent
from keyprojects.projects.models import Project


@pytest.mark.django_db
def test_lixia_reads_the_published_county_assessment():
    # 2023-12 and 2024-01 closed, 2024-02 open
    opts = {"projects": 300, "seed": 7, "year": 2024, "month": 2, "months": 3, "verbosity": 0, "interactive": False}
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **opts)
    users = {u.username: u for u in User.objects.filter(username__in=["jinan", "lixia", "lixia_sh", "province", "byd", "sysadmin"])}
    county_scheme = AssessmentScheme.objects.get(region_id="370100")
    province_scheme = AssessmentScheme.objects.get(region_id="370000")
    published = AssessmentSnapshot.objects.get(scheme=county_scheme, published_at__isnull=False)
    draft = AssessmentSnapshot.objects.get(scheme=county_scheme, published_at__isnull=True)
    assert (published.period.label, draft.period.label) == ("2023-12", "2024-01")
    assert published.computed_by == users["jinan"] and published.published_by == users["jinan"]
    assert "考核结果：济南市重点项目双考核双评价（各县（市、区）） 2023年12月，由 jinan 计算，已发布" in out.getvalue()

    # the audit log: jinan (a city's staff, not an administrator, not "system") computed and published it
    published_events = AuditEvent.objects.filter(action="assessment_publish", object_id=str(published.pk))
    assert [(e.actor_username, e.actor_role, e.actor_region) for e in published_events] == [("jinan", "city", "370100")]
    assert published_events[0].changes["period"] == "2023-12" and published_events[0].changes["digest"] == published.digest
    computed = AuditEvent.objects.filter(action="assessment_compute", object_id=str(published.pk))
    assert [e.actor_username for e in computed] == ["jinan"]
    assert not AuditEvent.objects.filter(action="assessment_publish", object_id=str(draft.pk)).exists()
    # the province's scheme: computed and published by the province's staff
    assert AssessmentSnapshot.objects.get(scheme=province_scheme, published_at__isnull=False).published_by == users["province"]

    units = published.result["units"]
    own = next(u for u in units if u["key"] == "370102")
    others = [u for u in units if u["key"] != "370102"]
    assert len(units) > 1 and others and own["score"]
    kwargs = {"pk": county_scheme.pk, "period": "2023-12"}
    result_url = reverse("analytics:assessment_result", kwargs=kwargs)
    draft_kwargs = {"pk": county_scheme.pk, "period": "2024-01"}
    draft_url = reverse("analytics:assessment_result", kwargs=draft_kwargs)
    publish_url = reverse("analytics:assessment_publish", kwargs=draft_kwargs)
    scheme_url = reverse("analytics:assessment_scheme", kwargs={"pk": county_scheme.pk})

    jinan, lixia = Client(), Client()
    jinan.force_login(users["jinan"])
    lixia.force_login(users["lixia"])

    # right after seeding: lixia's 考核结果 lists her rank and score of the published month
    html = lixia.get(reverse("analytics:assessment")).content.decode()
    assert "暂无已发布的考核结果" not in html and county_scheme.name in html and province_scheme.name not in html
    assert f"{own['rank']}/{len(units)}" in html and own["score"] in html and "2023年12月" in html
    page = lixia.get(result_url)
    html = page.content.decode()
    assert page.status_code == 200 and "本单位：历下区" in html
    for u in units:  # the published ranking: every county, its rank and its score
        assert f'data-key="{u["key"]}"' in html and (u["score"] or "—") in html
    explained = [u["key"] for u in page.context["units"] if u["lines"]]
    assert explained == ["370102"]
    own_projects = set(Project.objects.filter(region_id="370102").values_list("pk", flat=True))
    shown = {p["pk"] for line in page.context["own_unit"]["lines"] for p in line["project_list"]}
    assert shown and shown <= own_projects
    other_names = Project.objects.filter(city_code="370100").exclude(region_id="370102").values_list("name", flat=True)
    assert not any(name in html for name in other_names)
    assert 'data-testid="explain"' not in html and 'data-testid="publish"' not in html
    assert lixia.get(scheme_url).status_code == 200

    # the last closed month: a draft the county does not see; jinan's result page offers 发布
    assert lixia.get(draft_url).status_code == 404
    draft_page = jinan.get(draft_url).content.decode()
    assert 'data-testid="publish"' in draft_page and "未发布" in draft_page
    assert 'data-testid="publish"' not in jinan.get(result_url).content.decode()

    # what lixia may not do
    assert lixia.post(publish_url).status_code == 404
    assert lixia.post(reverse("analytics:assessment_compute", args=[county_scheme.pk]), {"period": "2024-01"}).status_code == 404
    assert lixia.get(reverse("analytics:assessment_edit", args=[county_scheme.pk])).status_code == 403
    assert lixia.get(reverse("analytics:rankings")).status_code == 403  # the ranking pages stay the range's
    for name in ("byd", "sysadmin"):
        other = Client()
        other.force_login(users[name])
        assert other.get(result_url).status_code == 403, name

    # jinan publishes the draft: lixia now reads that month as the latest
    assert jinan.post(publish_url).status_code == 302
    assert lixia.get(draft_url).status_code == 200
    html = lixia.get(reverse("analytics:assessment")).content.decode()
    assert "2024年1月" in html
