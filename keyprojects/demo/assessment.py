"""Demo 双考核 results: each default scheme (``services.install_default_schemes``) computed and
published by the demo login of its range, as its office would do it in the UI, through the same
services (``analytics.services_assessment``: ``assessment_snapshot``, then ``assessment_publish``,
each audited under that login).

* The closed month before the last: computed and published. 历下区 (``lixia``) reads 济南市's
  county result under 考核结果 at once (rank, score, her own explanation); 济南市 (``jinan``)
  reads the province's city result.
* The last closed month: computed, not published (the city's 发布 button can be tried; the
  counties do not see it until then).
* Earlier closed months: left for the 计算 button.

A demo with a single closed month publishes that one; one without a closed month computes
nothing. A scheme whose range has no demo login (or none allowed to publish it) is left alone.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .common import DEMO_USERNAMES


class DemoAssessment(NamedTuple):
    """One result the demo computed: its scheme, month (``2026-03``), who computed it and
    whether it is published."""

    scheme: str
    period: str
    username: str
    published: bool


def _assessor(scheme: Any, users: list[Any]) -> Any:
    """The demo login who computes and publishes ``scheme``: the staff of its own region."""
    from keyprojects.analytics.services_assessment import can_publish

    return next((u for u in users if u.region_id == scheme.region_id and can_publish(u, scheme)), None)


def seed_assessment() -> list[DemoAssessment]:
    """Compute and publish the demo schemes' results (see the module); returns what was done."""
    from keyprojects.accounts.choices import Role
    from keyprojects.accounts.models import User
    from keyprojects.analytics.models import AssessmentScheme
    from keyprojects.analytics.services_assessment import assessment_publish, assessment_snapshot, period_closed_for
    from keyprojects.dispatch.models import ReportingPeriod

    users = list(User.objects.filter(username__in=DEMO_USERNAMES, role__in=[Role.PROVINCE, Role.CITY], is_active=True).order_by("id"))
    periods = list(ReportingPeriod.objects.order_by("year", "month"))
    done: list[DemoAssessment] = []
    for scheme in AssessmentScheme.objects.filter(is_active=True).select_related("region").order_by("id"):
        user = _assessor(scheme, users)
        if user is None:
            continue
        closed = [p for p in periods if period_closed_for(period=p, region=scheme.region)]
        if not closed:
            continue
        published = closed[-2] if len(closed) >= 2 else closed[-1]
        for period in sorted({published, closed[-1]}, key=lambda p: (p.year, p.month)):
            snapshot, _created = assessment_snapshot(user=user, scheme=scheme, period=period)
            if period == published:
                assessment_publish(user=user, snapshot=snapshot)
            done.append(DemoAssessment(scheme.name, period.label, user.username, snapshot.published_at is not None))
    return done
