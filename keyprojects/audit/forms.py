"""The audit page's filter form (GET); the same filters drive the xlsx export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .selectors import distinct_values

ACTION_LABELS = {
    "login": _("登录"),
    "login_failed": _("登录失败"),
    "lockout": _("账户锁定"),
    "unlock": _("解除锁定"),
    "logout": _("退出登录"),
    "password_change": _("修改密码"),
    "permission_denied": _("越权访问"),
    "create": _("新增"),
    "update": _("修改"),
    "delete": _("删除"),
    "transition": _("阶段变更"),
    "submit": _("提交"),
    "approve": _("审核通过"),
    "return": _("退回"),
    "import": _("导入"),
    "export": _("导出"),
    "config": _("配置变更"),
    "audit_purge": _("清理审计日志"),
    "audit_key_rotate": _("轮换审计密钥"),
    "password_reset": _("发放一次性密码"),
    "role_assign": _("分配角色和范围"),
    "token_create": _("新建 API 令牌"),
    "token_revoke": _("撤销 API 令牌"),
    "otp_enroll": _("启用两步验证"),
    "otp_verify": _("两步验证通过"),
    "otp_failed": _("两步验证失败"),
    "otp_remove": _("关闭两步验证"),
}

RESULT_LABELS = {"success": _("成功"), "failure": _("失败"), "denied": _("拒绝")}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def role_label(role: str) -> str:
    """The role an event was recorded with, as users read it (``county`` → 县级工作人员)."""
    from keyprojects.accounts.choices import Role

    return str(dict(Role.choices).get(role, role))


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), required=False)
    username = forms.CharField(label=_("用户名"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("关键字"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        actions = set(distinct_values("action")) | set(ACTION_LABELS)
        self.fields["action"].choices = [("", _("全部操作")), *sorted((a, action_label(a)) for a in actions)]
        self.fields["object_type"].choices = [("", _("全部对象")), *((t, t) for t in distinct_values("object_type"))]
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        d1, d2 = data.get("date_from"), data.get("date_to")
        if d1 and d2 and d1 > d2:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def selector_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`selectors.search_events`; an invalid field is ignored
        (and shown with its message), the valid ones still filter."""
        self.is_valid()
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        d1, d2 = data.get("date_from"), data.get("date_to")
        return {
            "action": data.get("action") or "",
            "username": (data.get("username") or "").strip(),
            "object_type": data.get("object_type") or "",
            "start": dt.datetime.combine(d1, dt.time.min, tzinfo=tz) if d1 else None,
            "end": dt.datetime.combine(d2 + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if d2 else None,
            "text": (data.get("q") or "").strip(),
        }
