"""双考核 in the demo as its county login reads it: 济南市's default county scheme computed by
``jinan`` for a closed month is invisible to 历下区 (``lixia``) until ``jinan`` publishes it; then
lixia reads every county's rank and score and its own explanation, nobody else's, and may not
compute, publish or edit. The province's scheme assesses the cities, not lixia."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from keyprojects.accounts.models import User
from keyprojects.analytics.models import AssessmentScheme, AssessmentSnapshot
from keyprojects.projects.models import Project


@pytest.mark.django_db
def test_lixia_reads_the_published_county_assessment():
    opts = {"projects": 300, "seed": 7, "year": 2024, "month": 2, "months": 3, "verbosity": 0, "interactive": False}
    call_command("seed_demo", stdout=io.StringIO(), **opts)
    users = {u.username: u for u in User.objects.filter(username__in=["jinan", "lixia", "lixia_sh", "province", "byd", "sysadmin"])}
    county_scheme = AssessmentScheme.objects.get(region_id="370100")
    province_scheme = AssessmentScheme.objects.get(region_id="370000")
    kwargs = {"pk": county_scheme.pk, "period": "2024-01"}
    result_url = reverse("analytics:assessment_result", kwargs=kwargs)
    publish_url = reverse("analytics:assessment_publish", kwargs=kwargs)
    scheme_url = reverse("analytics:assessment_scheme", kwargs={"pk": county_scheme.pk})

    jinan, lixia = Client(), Client()
    jinan.force_login(users["jinan"])
    lixia.force_login(users["lixia"])
    assert jinan.post(reverse("analytics:assessment_compute", args=[county_scheme.pk]), {"period": "2024-01"}).status_code == 302
    snapshot = AssessmentSnapshot.objects.get(scheme=county_scheme)
    units = snapshot.result["units"]
    own = next(u for u in units if u["key"] == "370102")
    others = [u for u in units if u["key"] != "370102"]
    assert len(units) > 1 and others

    # a draft: the county sees nothing of it
    html = lixia.get(reverse("analytics:assessment")).content.decode()
    assert "暂无已发布的考核结果" in html and county_scheme.name not in html
    assert lixia.get(result_url).status_code == 404 and lixia.get(scheme_url).status_code == 404

    assert jinan.post(publish_url).status_code == 302
    html = lixia.get(reverse("analytics:assessment")).content.decode()
    assert county_scheme.name in html and f"{own['rank']}/{len(units)}" in html and province_scheme.name not in html
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

    # what lixia may not do
    assert lixia.post(publish_url).status_code == 404
    assert lixia.post(reverse("analytics:assessment_compute", args=[county_scheme.pk]), {"period": "2024-01"}).status_code == 404
    assert lixia.get(reverse("analytics:assessment_edit", args=[county_scheme.pk])).status_code == 403
    assert lixia.get(reverse("analytics:rankings")).status_code == 403  # the ranking pages stay the range's
    for name in ("byd", "sysadmin"):
        other = Client()
        other.force_login(users[name])
        assert other.get(result_url).status_code == 403, name
