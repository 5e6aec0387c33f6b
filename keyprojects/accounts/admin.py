"""Django admin for accounts. The admin site is the superuser's alone (admin_site.py); the
administrators work in the user-management area (/accounts/manage/, views_manage.py), where
三权分立 holds (issue 11, reliability.md 15).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.services import audit_record

from . import services
from .models import LoginAttempt, User

USER_MANAGERS = {"sysadmin"}
LOCKOUT_VIEWERS = {"sysadmin", "secadmin"}


def _role_in(request: HttpRequest, roles: set[str]) -> bool:
    user: Any = request.user
    return bool(user.is_active and (user.is_superuser or getattr(user, "role", "") in roles))


class ServicePasswordChangeForm(AdminPasswordChangeForm):
    """An administrator's password reset goes through the service (history, sessions ended, audit)
    and the user must choose a new password at next login."""

    def save(self, commit: bool = True) -> Any:
        services.user_change_password(user=self.user, new_password=self.cleaned_data["password1"])
        User.objects.filter(pk=self.user.pk).update(must_change_password=True)
        self.user.must_change_password = True
        return self.user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = ServicePasswordChangeForm
    list_display = ("username", "last_name", "first_name", "role", "region", "unit", "enterprise", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    autocomplete_fields: tuple[str, ...] = ()
    raw_id_fields = ("region", "unit", "enterprise")
    readonly_fields = ("last_login", "date_joined", "password_changed_at")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("角色与数据范围"), {"fields": ("role", "region", "unit", "enterprise")}),
        (_("账户状态"), {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password", "password_changed_at")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("角色与数据范围"), {"classes": ("wide",), "fields": ("role", "region", "unit", "enterprise")}),
    )
    filter_horizontal = ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _role_in(request, USER_MANAGERS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _role_in(request, USER_MANAGERS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _role_in(request, USER_MANAGERS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _role_in(request, USER_MANAGERS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # disable instead of delete: the audit log keeps pointing at the user

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(self.readonly_fields)
        if not request.user.is_superuser:  # only a superuser grants superuser
            readonly += ("is_superuser",)
        return readonly

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        was_active = form.initial.get("is_active", True) if change else True
        if not change:
            obj.must_change_password = True  # reliability.md 20: first login changes the password
        super().save_model(request, obj, form, change)
        fields = [f for f in form.changed_data if "password" not in f]
        if change:
            changes = {f: [form.initial.get(f), form.cleaned_data.get(f)] for f in fields}
        else:
            changes = {f: form.cleaned_data.get(f) for f in fields}
        audit_record(action="update" if change else "create", request=request, obj=obj, changes=changes)
        if change and was_active and not obj.is_active:
            services.user_end_sessions(user=obj)
            services.tokens_revoke_all(user=obj, reason="deactivated", request=request)
        elif change and {"role", "region", "unit", "enterprise", "is_superuser"} & set(fields):
            # A changed role or scope ends the user's sessions and API tokens (issue 11).
            services.user_end_sessions(user=obj)
            services.tokens_revoke_all(user=obj, reason="role_change", request=request)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("username", "ip", "failures", "last_failure_at", "locked_until")
    search_fields = ("username", "ip")
    readonly_fields = ("username", "ip", "failures", "last_failure_at", "locked_until")
    actions = ["unlock"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _role_in(request, LOCKOUT_VIEWERS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _role_in(request, LOCKOUT_VIEWERS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return _role_in(request, {"secadmin"})

    @admin.action(description=_("解除锁定"), permissions=["unlock"])
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        names = set(queryset.values_list("username", flat=True))
        for name in names:
            services.login_unlock(username=name, user=request.user)
        self.message_user(request, _("已解除 %(n)d 个用户名的锁定") % {"n": len(names)}, messages.SUCCESS)
