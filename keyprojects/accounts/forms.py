"""Login and password-change forms (reliability.md 16-17).

The forms only parse input; authentication, lockout and the password change itself live in
``services`` and the view, so the rules are the same for every entry point.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from keyprojects.core.errors import ValidationFailed, shown


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(str(t) for t in password_validators_help_texts())

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError(_("原密码不正确"), code="password_incorrect")
        return str(old)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data

    def add_service_errors(self, exc: ValidationFailed) -> None:
        """Show a service's field messages next to the fields they belong to, in the page's language."""
        for field, messages in (exc.extra.get("fields") or {"__all__": [exc.message]}).items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, shown(message))  # in the page's language


# --- the user-management area (三权分立, issue 11) ----------------------------------------------

_CTRL = {"class": "form-control"}


class AccountCreateForm(forms.Form):
    """What the system administrator types for a new account (no role: the security
    administrator assigns it)."""

    username = forms.CharField(label=_("用户名"), max_length=150, widget=forms.TextInput(attrs=_CTRL))
    last_name = forms.CharField(label=_("姓"), max_length=150, required=False, widget=forms.TextInput(attrs=_CTRL))
    first_name = forms.CharField(label=_("名"), max_length=150, required=False, widget=forms.TextInput(attrs=_CTRL))
    phone = forms.CharField(label=_("电话"), max_length=32, required=False, widget=forms.TextInput(attrs=_CTRL))
    email = forms.EmailField(label=_("电子邮箱"), required=False, widget=forms.EmailInput(attrs=_CTRL))

    add_service_errors = PasswordChangeForm.add_service_errors

    def clean(self) -> dict[str, Any]:
        """Every field's message at once: the form's own (an e-mail address) and the account
        rules' (user name, telephone: ``services.account_field_errors``), not one after another."""
        from .services import account_field_errors

        data = super().clean() or {}
        typed = {name: data.get(name) or "" for name in self.fields}
        for name, messages in account_field_errors(**typed).items():
            if name in self.fields and name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return data


class AccountAssignForm(forms.Form):
    """The security administrator's role and scope assignment."""

    role = forms.ChoiceField(label=_("角色"), widget=forms.Select(attrs={"class": "form-select"}))
    region = forms.ModelChoiceField(label=_("所属区划"), queryset=None, required=False, widget=forms.Select(attrs={"class": "form-select"}))
    unit = forms.ModelChoiceField(label=_("所属单位"), queryset=None, required=False, widget=forms.Select(attrs={"class": "form-select"}))
    enterprise_uscc = forms.CharField(
        label=_("所属企业（统一社会信用代码）"), max_length=18, required=False, widget=forms.TextInput(attrs=_CTRL)
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from keyprojects.regions.models import Region, Unit

        from . import policy
        from .choices import Role

        self.fields["role"].choices = [(r, Role(r).label) for r in policy.ASSIGNABLE_ROLES]
        self.fields["region"].queryset = Region.objects.filter(province_code=policy.province_code()).order_by("code")  # type: ignore[attr-defined]
        self.fields["region"].label_from_instance = lambda r: f"{r.code} {r.name}"  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.order_by("region_id", "name")  # type: ignore[attr-defined]

    def clean_enterprise_uscc(self) -> Any:
        uscc = (self.cleaned_data.get("enterprise_uscc") or "").strip().upper()
        if not uscc:
            return None
        from keyprojects.enterprises.models import Enterprise

        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            raise forms.ValidationError(_("没有该统一社会信用代码的企业"))
        return enterprise

    add_service_errors = PasswordChangeForm.add_service_errors
