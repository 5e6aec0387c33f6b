"""The demo's entry points: :func:`seed_demo` (one transaction, all or nothing), the reset of
business data, and the demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from .builder import DemoBuilder
from .common import (
    DEFAULT_BATCH,
    DEFAULT_PROJECTS,
    DEFAULT_SEED,
    DEMO_REGION_LOGINS,
    DEMO_USERNAMES,
    DemoError,
    DemoLogin,
    DemoResult,
    default_year_month,
    gc_paused,
    random_password,
)
from .reference import SPECIAL_OWNERS


def business_data_exists() -> int:
    from keyprojects.projects.models import Project

    return Project.objects.count()


# Apps whose rows --reset never deletes (reference data, accounts, the audit log).
KEEP_APPS = {"regions", "audit", "accounts", "auth", "contenttypes", "sessions", "admin", "authtoken"}


def business_models() -> list[type[models.Model]]:
    """The demo's models (with the reporting periods) plus every model (outside KEEP_APPS) that
    refers to them, directly or not (monthly reports, problems, closures, summaries ...),
    ordered so that referring models come first."""
    from django.apps import apps

    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.enterprises.models import Enterprise, EnterpriseContact
    from keyprojects.projects.models import Project, ProjectEvent, ProjectYear, SponsorLeader
    from keyprojects.regions.models import Unit

    def targets(model: type[models.Model]) -> set[Any]:
        return {f.related_model for f in model._meta.concrete_fields if f.is_relation and f.related_model is not model}

    found: list[type[models.Model]] = [
        ProjectEvent, ProjectYear, Project, SponsorLeader, EnterpriseContact, Enterprise, Unit, ReportingPeriod,
    ]  # fmt: skip
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model not in found and model._meta.app_label not in KEEP_APPS and targets(model) & set(found):
                found.append(model)
                changed = True
    ordered: list[type[models.Model]] = []
    remaining = list(found)
    while remaining:
        free = [m for m in remaining if not any(m in targets(o) for o in remaining if o is not m)]
        nxt = free[0] if free else remaining[0]  # a cycle: let the database decide
        ordered.append(nxt)
        remaining.remove(nxt)
    return ordered


def _referrers(model: type[models.Model]) -> set[type[models.Model]]:
    return {
        related
        for rel in model._meta.get_fields(include_hidden=True)
        if rel.auto_created
        and not rel.concrete
        and (rel.one_to_many or rel.one_to_one)
        and (related := rel.related_model) is not None
        and related is not model
    }


def reset_business_data() -> dict[str, int]:
    """Delete projects, enterprises, units, leaders and whatever hangs off them, and the
    reporting periods (not regions, not accounts, not the audit log, which the database
    refuses to delete anyway). The demo logins are kept (their ids stay stable in the audit
    log) but detached until :func:`create_demo_users` anchors them again.

    A table nothing else refers to any more (its referrers were emptied before it) is emptied
    with one DELETE: the ORM's collector would load millions of reports and facts first."""
    from keyprojects.accounts.models import LoginAttempt, User

    deleted: dict[str, int] = {}
    try:
        with transaction.atomic():
            User.objects.filter(username__in=DEMO_USERNAMES).update(
                role="sysadmin", unit=None, enterprise=None, is_superuser=False, is_staff=False, is_active=False
            )
            LoginAttempt.objects.filter(username__in=DEMO_USERNAMES).delete()
            emptied: set[type[models.Model]] = set()
            for model in business_models():
                qs = model._default_manager.all()
                if not qs.exists():
                    deleted[model._meta.label] = 0
                elif _referrers(model) <= emptied:
                    deleted[model._meta.label] = qs._raw_delete(qs.db)
                else:
                    deleted[model._meta.label] = qs.only("pk").delete()[0]
                emptied.add(model)
    except ProtectedError as exc:
        blockers = sorted({f"{o._meta.verbose_name}“{o}”" for o in list(exc.protected_objects)[:5]})
        raise DemoError("无法清除演示数据：以下记录仍引用要删除的数据，请先处理：" + "；".join(blockers)) from exc
    return deleted


def create_demo_users(*, enterprise_name: str = SPECIAL_OWNERS["byd"][0]) -> list[DemoLogin]:
    """One login per role with a fresh random password; existing demo logins are updated."""
    from django.contrib.auth.password_validation import validate_password

    from keyprojects.accounts.models import User
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.projects.models import SponsorLeader
    from keyprojects.regions.models import Region, Unit

    jinan_fgw = Unit.objects.filter(region_id="370100", name="济南市发展和改革委员会").first()
    ent = Enterprise.objects.filter(name=enterprise_name).first()
    sponsor = SponsorLeader.objects.filter(region_id="370100", title="常务副市长").order_by("id").first()
    if jinan_fgw is None or ent is None or sponsor is None:
        raise DemoError("缺少演示账号所需的单位、企业或包保领导，请先生成演示数据")
    regions = {r.code: r for r in Region.objects.filter(code__in={code for _, code in DEMO_REGION_LOGINS.values()})}

    def placed(username: str) -> tuple[str, dict[str, Any]]:
        role, code = DEMO_REGION_LOGINS[username]
        return role, {"region": regions[code]}

    specs: list[tuple[str, str, dict[str, Any], str, str]] = [
        ("province", *placed("province"), "山东省", "省级工作人员"),
        ("jinan", *placed("jinan"), "济南市", "市级工作人员"),
        ("lixia", *placed("lixia"), "济南市历下区", "县级工作人员"),
        # four eyes: nobody reviews a report they filled, so the demo county has a second account
        ("lixia_sh", *placed("lixia_sh"), "济南市历下区（审核lixia填报的月报）", "县级审核人员"),
        ("jinan_fgw", "department", {"unit": jinan_fgw}, jinan_fgw.name, "部门工作人员"),
        ("byd", "enterprise", {"enterprise": ent}, ent.name, "企业联系人"),
        ("leader", *placed("leader"), f"济南市（包保领导：{sponsor.name}，{sponsor.title}）", "领导（只读）"),
        ("sysadmin", "sysadmin", {}, "系统管理（三权分立）", "系统管理员"),
        ("secadmin", "secadmin", {}, "安全管理（三权分立）", "安全管理员"),
        ("auditor", "auditor", {}, "审计日志（只读）", "审计管理员"),
        ("admin", "sysadmin", {"is_superuser": True, "is_staff": True}, "全部（超级用户）", "超级用户"),
    ]
    if getattr(settings, "KEYPROJECTS_PRODUCTION", False):
        # Production settings (seed_demo --force, e.g. a training server): no all-powerful account.
        specs = [s for s in specs if not s[2].get("is_superuser")]
    logins: list[DemoLogin] = []
    with transaction.atomic():
        for username, role, extra, scope, label in specs:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.role = role
            user.region = extra.get("region")
            user.unit = extra.get("unit")
            user.enterprise = extra.get("enterprise")
            user.is_superuser = extra.get("is_superuser", False)
            user.is_staff = extra.get("is_staff", False)
            user.is_active = True
            user.must_change_password = False
            user.first_name = label
            password = random_password()
            validate_password(password, user)
            user.set_password(password)
            user.password_changed_at = timezone.now()
            user.save()
            if username == "leader":
                SponsorLeader.objects.filter(user=user).exclude(pk=sponsor.pk).update(user=None)
                sponsor.user = user
                sponsor.save(update_fields=["user"])
            logins.append(DemoLogin(username, label, scope, password))
    return logins


def install_default_schemes() -> list[Any]:
    """The default 双考核双评价 schemes: Shandong's cities, and Jinan's counties (the demo city)."""
    from keyprojects.analytics.services_assessment import default_schemes_install
    from keyprojects.regions.models import Region

    province = Region.objects.filter(code="370000").first()
    if province is None:
        return []
    return default_schemes_install(province=province, cities=tuple(Region.objects.filter(code="370100")))


def reset_demo_passwords() -> list[DemoLogin]:
    from keyprojects.accounts.models import User

    if not User.objects.filter(username__in=DEMO_USERNAMES).exists():
        raise DemoError("没有找到演示账号")
    return create_demo_users()


def default_months(month: int) -> int:
    """All of last year and this year up to the data month (22 when the data month is October)."""
    return 12 + month


@transaction.atomic
def seed_demo(*, projects: int = DEFAULT_PROJECTS, seed: int = DEFAULT_SEED, year: int | None = None, month: int | None = None,
              months: int | None = None, reset: bool = False, batch_size: int = DEFAULT_BATCH, progress: bool = False,
              stream: Any = None) -> DemoResult:  # fmt: skip
    """Build the demo world in one transaction (all or nothing) and return counts and logins.
    ``months``: the number of most recent months (ending at the data month) with periods and
    monthly reports; default all of last year and this year so far, 0 for none."""
    from keyprojects.audit.services import audit_record

    started = timezone.now()
    y, m = default_year_month(year, month)
    if not (2000 <= y <= 2099) or not (1 <= m <= 12):
        raise DemoError("年度或月份超出范围")
    if projects < 0:
        raise DemoError("项目数不能为负数")
    months = default_months(m) if months is None else months
    if not 0 <= months <= default_months(m):
        raise DemoError(f"月份数应在 0 到 {default_months(m)} 之间（演示数据只有{y - 1}年和{y}年的年度计划）")
    deleted = reset_business_data() if reset else {}
    with gc_paused():
        result = DemoBuilder(seed=seed, projects=projects, year=y, month=m, months=months, batch_size=batch_size, progress=progress,
                             stream=stream).run()  # fmt: skip
    result.logins = create_demo_users()
    result.counts["schemes"] = len(install_default_schemes())
    from .approvals import seed_approvals

    result.counts.update(seed_approvals(as_of=result.as_of))
    from .engagement import seed_engagement

    result.counts.update(seed_engagement(as_of=result.as_of))
    from .partnership import seed_partnership

    result.counts.update(seed_partnership())
    from .cultivation import seed_cultivation

    result.counts.update(seed_cultivation(year=result.as_of.year))
    from .attraction import seed_attraction

    result.counts.update({f"attraction_{k}": v for k, v in seed_attraction(as_of=result.as_of).items()})
    from .brands import seed_brands

    result.counts.update(seed_brands())
    from .assessment import seed_assessment  # last: the facts and the closed months are final

    result.assessments = seed_assessment()
    result.counts["assessment_results"] = len(result.assessments)
    result.seconds = (timezone.now() - started).total_seconds()
    audit_record(
        action="seed_demo", object_type="demo", username="manage.py",
        changes={"seed": seed, "year": y, "month": m, "months": months, "projects": result.counts["projects"],
                 "reports": result.counts.get("reports", 0), "reset": deleted},
        message="生成演示数据",
    )  # fmt: skip
    return result
