"""“泉城好品” brand selection in a real browser (ADR 0019): the enterprise contact of 比亚迪 fills
and submits its application in Jinan's open round, 历下 (region staff) passes the 初审, the city
closes the applications (confirming the early close) and enters the experts' score — and is then
offered no decision, and is refused when it posts one (four eyes) —, a second city account
selects the brand — which the enterprise does not see yet (评审中) —, the city publishes the
round and the brand is on the result list the enterprise sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRAND = "泉城比亚迪"


def _open_round(world):
    from keyprojects.brands.services import round_advance, round_create
    from keyprojects.regions.models import Region

    today = timezone.localdate()
    r = round_create(
        actor=world.users.city,
        region=Region.objects.get(code="370100"),
        year=today.year,
        name="第一批“泉城好品”品牌遴选",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=30),
    )
    return round_advance(actor=world.users.city, round=r, expected_version=r.version, to_status="open")


def _status(page) -> str:
    return page.get_by_test_id("application-status").inner_text().strip()


def _click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("networkidle")


def test_apply_review_score_decide_publish_with_four_eyes(page, world):
    rnd = _open_round(world)
    valid_until = (timezone.localdate() + dt.timedelta(days=730)).isoformat()

    # the enterprise contact applies in the open round: a draft, then submitted
    login(page, "byd", PASSWORD)
    page.goto(page.base_url + "/brands/")
    _click_and_wait(page, page.get_by_test_id("rounds").get_by_role("link", name=rnd.name))
    assert page.get_by_test_id("round-status").inner_text().strip() == "申报中"
    _click_and_wait(page, page.get_by_test_id("apply"))
    form = page.get_by_test_id("application-form")
    form.locator("select[name=category]").select_option("product")
    form.locator("input[name=brand_name]").fill(BRAND)
    form.locator("input[name=trademark_no]").fill("12345678")
    form.locator("input[name=trademark_valid_until]").fill(valid_until)
    form.locator("input[name=years_in_city]").fill("5")
    for name in ("has_valid_trademark", "is_cultivation_enterprise", "has_quality_system", "is_advanced"):
        form.locator(f"input[name={name}]").check()
    form.locator("textarea[name=description]").fill("新能源汽车零部件")
    _click_and_wait(page, page.get_by_test_id("application-save"))
    assert page.get_by_test_id("application-title").inner_text().strip() == BRAND
    assert _status(page) == "草稿"
    _click_and_wait(page, page.get_by_test_id("application-submit"))
    assert _status(page) == "已提交"
    assert "申报已提交，等待初审" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_test_id("review-form").count() == 0  # the applicant does not review
    application_url = page.url

    # 历下 (region staff over the enterprise) passes the preliminary review
    login(page, "lixia", PASSWORD)
    page.goto(application_url)
    page.fill("#review-note", "材料齐全")
    _click_and_wait(page, page.get_by_test_id("review-pass"))
    assert _status(page) == "初审通过"
    assert page.get_by_test_id("score-form").count() == 0  # scoring is the organiser's

    # the city closes the applications and enters the experts' score
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + f"/brands/{rnd.pk}/")
    _click_and_wait(page, page.get_by_test_id("round-step-reviewing").get_by_role("button"))
    # the window still runs 30 days: a confirmation first, saying so
    assert rnd.closes_on.isoformat() in page.get_by_test_id("close-early-warning").inner_text()
    _click_and_wait(page, page.get_by_test_id("close-early-confirm"))
    assert page.get_by_test_id("round-status").inner_text().strip() == "评审中"
    page.goto(application_url)
    page.get_by_test_id("score-form").locator("input[name=score]").fill("92.5")
    _click_and_wait(page, page.get_by_test_id("score-save"))
    assert _status(page) == "已评分"
    # four eyes: the scorer is offered no decision, and a decision it posts anyway is refused
    assert page.get_by_test_id("decide-form").count() == 0
    assert "四眼原则" in page.get_by_test_id("four-eyes").inner_text()
    with page.expect_navigation():
        page.evaluate(
            """() => {
                const f = document.createElement('form');
                f.method = 'post';
                f.action = location.pathname + 'decide/';
                const fields = {
                    csrfmiddlewaretoken: document.querySelector('[data-testid=score-form] [name=csrfmiddlewaretoken]').value,
                    version: document.querySelector('[data-testid=score-form] [name=version]').value,
                    decision: 'select', reward_amount: '10', note: '',
                };
                for (const [k, v] of Object.entries(fields)) {
                    const i = document.createElement('input');
                    i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
                }
                document.body.appendChild(f);
                f.submit();
            }"""
        )
    page.wait_for_load_state("networkidle")
    assert "初审或评分的人不能认定同一申报（四眼原则）" in page.get_by_role("alert").first.inner_text()
    assert _status(page) == "已评分"

    # another organiser of the city decides: 入选 with a reward of 8万元
    login(page, "jinan_tb", PASSWORD)
    page.goto(application_url)
    decide = page.get_by_test_id("decide-form")
    decide.locator("input[name=reward_amount]").fill("8")
    decide.locator("input[name=note]").fill("专家评审排名靠前")
    _click_and_wait(page, page.get_by_test_id("decide-select"))
    assert _status(page) == "入选"
    assert page.get_by_test_id("decide-form").count() == 0

    # the applicant does not see the decision before it is published
    login(page, "byd", PASSWORD)
    page.goto(application_url)
    assert _status(page) == "评审中" and "专家评审排名靠前" not in page.content()

    # the city marks the decisions taken and publishes the round
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + f"/brands/{rnd.pk}/")
    row = page.get_by_test_id("application-row").filter(has_text=BRAND)
    assert row.get_attribute("data-status") == "selected" and "92.5" in row.inner_text()
    assert page.get_by_test_id("selected-count").inner_text().strip() == "1"
    _click_and_wait(page, page.get_by_test_id("round-step-decided").get_by_role("button"))
    assert page.get_by_test_id("round-status").inner_text().strip() == "已确定"
    _click_and_wait(page, page.get_by_test_id("round-step-published").get_by_role("button"))
    assert page.get_by_test_id("round-status").inner_text().strip() == "已公布"

    # the result list, public once published: the enterprise contact sees its brand
    login(page, "byd", PASSWORD)
    page.goto(page.base_url + "/brands/results/")
    rows = page.get_by_test_id("result-row")
    assert rows.count() == 1
    cells = [c.strip() for c in rows.first.locator("td").all_inner_texts()]
    assert cells[:5] == [str(rnd.year), rnd.name, "产品类", BRAND, "比亚迪汽车（济南）有限公司"]
    assert cells[5].startswith("8")
