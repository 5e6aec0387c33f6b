"""The user-management area (账户管理, /accounts/manage/), 三权分立 (issue 11, reliability.md 15).

* 系统管理员 (sysadmin): creates accounts, disables/enables them, lifts lockouts and issues
  one-time passwords (the user must change it at the next login).
* 安全管理员 (secadmin): assigns roles and their region / unit / enterprise.
* 审计管理员 (auditor): nothing here; reads the audit log.

Nobody acts on their own account or on another administrator's (those are the superuser's, or
``manage.py create_admin``'s). The rules live in :mod:`keyprojects.accounts.policy` and the
services; this module parses, calls and renders. Every action and every denial is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, ValidationFailed

from . import policy, services
from .choices import Role
from .forms import AccountAssignForm, AccountCreateForm
from .models import LoginAttempt, User

PAGE_SIZE = 50


def _require(request: HttpRequest, allowed: bool, what: str) -> None:
    """Whoever may not is told 'not found' (no hint that the area exists); audited."""
    if not allowed:
        audit_record(action="permission_denied", request=request, object_type="accounts.user", result="denied", message=what)
        raise Http404


def _target(request: HttpRequest, pk: int) -> User:
    target = User.objects.select_related("region", "unit", "enterprise").filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


@never_cache
@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require(request, policy.can_list_accounts(user), "account list")
    q = (request.GET.get("q") or "").strip()
    role = request.GET.get("role") or ""
    users = User.objects.select_related("region", "unit", "enterprise").order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(phone__icontains=q))
    if role in Role.values:
        users = users.filter(role=role)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    locked = {a.username: a for a in LoginAttempt.objects.filter(ip="", locked_until__gt=now)}
    for u in page.object_list:
        u.locked_until = locked.get(u.username.lower()).locked_until if u.username.lower() in locked else None  # type: ignore[union-attr, attr-defined]
        u.protected = policy.is_protected_account(u)  # type: ignore[attr-defined]
    context = {
        "page_obj": page,
        "q": q,
        "role": role,
        "roles": Role.choices,
        "blocked_addresses": LoginAttempt.objects.filter(username="", locked_until__gt=now).order_by("-locked_until")
        if policy.can_view_lockouts(user)
        else [],
        "can_create": policy.can_manage_accounts(user),
        "can_unlock": policy.can_unlock(user),
    }
    return render(request, "accounts/manage/list.html", context)


@never_cache
@login_required
def manage_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require(request, policy.can_manage_accounts(user), "create account")
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, password = services.account_create(actor=user, request=request, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            return render(request, "accounts/manage/password_issued.html", {"target": created, "password": password, "created": True})
    return render(request, "accounts/manage/new.html", {"form": form})


@never_cache
@login_required
def manage_user(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    _require(request, policy.can_list_accounts(user), "account detail")
    target = _target(request, pk)
    may_act = policy.may_act_on_account(user, target)
    form = None
    if policy.can_assign_roles(user) and may_act:
        initial = {
            "role": target.role,
            "region": target.region_id,
            "unit": target.unit_id,
            "enterprise_uscc": target.enterprise.uscc if target.enterprise_id else "",  # type: ignore[union-attr]
        }
        form = AccountAssignForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.account_assign(
                    actor=user,
                    target=target,
                    role=data["role"],
                    region=data["region"],
                    unit=data["unit"],
                    enterprise=data["enterprise_uscc"],
                    request=request,
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("已保存%(name)s的角色和范围") % {"name": target.username})
                return redirect("accounts:manage_user", pk=target.pk)
    elif request.method == "POST":
        _require(request, False, "assign role")
    now = timezone.now()
    context = {
        "target": target,
        "form": form,
        "may_act": may_act,
        "protected": policy.is_protected_account(target),
        "is_self": target.pk == user.pk,
        "can_manage": policy.can_manage_accounts(user) and may_act,
        "can_unlock": policy.can_unlock(user) and may_act,
        "lock": LoginAttempt.objects.filter(username=target.username.lower(), ip="", locked_until__gt=now).first(),
        "token_count": target.api_tokens.count(),  # type: ignore[attr-defined]
    }
    return render(request, "accounts/manage/user.html", context)


ACTIONS = ("disable", "enable", "unlock", "reset_password")


@require_POST
@login_required
def manage_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    _require(request, action in ACTIONS and policy.can_manage_accounts(user), f"account {action}")
    target = _target(request, pk)
    try:
        if action == "reset_password":
            password = services.account_reset_password(actor=user, target=target, request=request)
            return render(request, "accounts/manage/password_issued.html", {"target": target, "password": password, "created": False})
        if action == "unlock":
            services.account_unlock(actor=user, target=target, request=request)
            messages.success(request, _("已解除%(name)s的登录锁定") % {"name": target.username})
        else:
            services.account_set_active(actor=user, target=target, active=action == "enable", request=request)
            messages.success(
                request,
                (_("已启用%(name)s") if action == "enable" else _("已停用%(name)s，其登录和令牌已失效")) % {"name": target.username},
            )
    except ApplicationError as exc:
        messages.error(request, exc.shown)
    return redirect("accounts:manage_user", pk=target.pk)


@require_POST
@login_required
def manage_unblock_address(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require(request, policy.can_unlock(user), "unblock address")
    ip = (request.POST.get("ip") or "").strip()[:45]
    services.address_unblock(actor=user, ip=ip, request=request)
    messages.success(request, _("已解除来源地址%(ip)s的封禁") % {"ip": ip})
    return redirect("accounts:manage")
