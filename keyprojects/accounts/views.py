"""Login, logout and password change (reliability.md 16-18, 21)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, ValidationFailed

from . import policy, services
from .forms import LoginForm, PasswordChangeForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _locked_message(minutes: int) -> str:
    # The same text for a locked account, an unknown user name and a blocked address.
    return _("登录失败次数过多，账户已锁定%(minutes)d分钟") % {"minutes": minutes}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if services.login_is_locked(username=username, request=request):
            services.login_failed(username=username, request=request)  # audited; does not extend the lock
            form.add_error(None, _locked_message(services.lock_minutes_left(username=username, request=request)))
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                # Same message for an unknown user, a wrong password and a disabled account.
                locked = services.login_failed(username=username, request=request)
                form.add_error(None, _locked_message(locked) if locked else _("用户名或密码错误"))
            else:
                login(request, user)  # cycles the session key
                now = int(time.time())
                request.session["kp_started"] = now
                request.session["kp_seen"] = now
                services.login_succeeded(user=user, request=request)
                from .otp import remember_due

                remember_due(request, user)
                if services.password_expired(user):
                    # The change page says why (password-forced). No message here: where a second
                    # factor is due it is asked for first, and "change your password first" shown
                    # above the authenticator enrolment contradicted the page.
                    return redirect("accounts:password_change")
                return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "failures": settings.KEYPROJECTS_LOCKOUT_FAILURES,
        "minutes": settings.KEYPROJECTS_LOCKOUT_MINUTES,
    }
    return render(request, "accounts/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(action="logout", request=request)
    logout(request)
    return redirect("accounts:login")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(user=user, new_password=form.cleaned_data["new_password1"], request=request)  # type: ignore[arg-type]
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("密码已修改，您在其他地方的登录已退出"))
            return redirect("/")
    forced = services.password_expired(user)  # type: ignore[arg-type]
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@never_cache
@login_required
def tokens_view(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: list, create (the key is shown once), revoke (issue 11)."""
    from .models import ApiToken

    user: Any = request.user
    if services.password_expired(user):
        return redirect("accounts:password_change")
    new_key = ""
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                services.token_revoke(user=user, token_id=int(request.POST.get("revoke") or 0), request=request)
                messages.success(request, _("令牌已撤销"))
                return redirect("accounts:tokens")
            _token, new_key = services.token_issue(user=user, name=request.POST.get("name", ""), request=request)
        except (ValueError, ApplicationError) as exc:
            messages.error(request, getattr(exc, "message", _("操作失败")))
            return redirect("accounts:tokens")
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
    context = {"tokens": tokens, "new_key": new_key, "days": settings.KEYPROJECTS_API_TOKEN_DAYS, "now": timezone.now()}
    return render(request, "accounts/tokens.html", context)


# --- second factor (TOTP) -------------------------------------------------------------------


def _otp_qr_svg(uri: str) -> str:
    """An inline SVG QR code of the otpauth URI (qrcode is optional: without it, only the key)."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:  # pragma: no cover
        return ""
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return str(img.to_string(encoding="unicode"))


OTP_PENDING_KEY = "kp_otp_pending_key"


@never_cache
@login_required
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """Enroll a TOTP authenticator: scan or type the key, confirm with a code."""
    import base64

    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from . import otp

    user: Any = request.user
    if otp.confirmed_device(user) is not None:
        if not otp.is_verified(request):
            return redirect("accounts:otp_verify")
        if request.method == "POST" and "remove" in request.POST and not policy.needs_second_factor(user):
            TOTPDevice.objects.filter(user=user).delete()
            request.session[otp.SESSION_KEY] = False
            audit_record(action="otp_remove", request=request, obj=user)
            messages.success(request, _("已关闭两步验证"))
            return redirect("accounts:otp_setup")
        return render(request, "accounts/otp_setup.html", {"enrolled": True, "required": policy.needs_second_factor(user)})
    # The key being enrolled waits in the session until a code confirms it: a page view writes
    # no device (issue 11, no GET writes); a failed or successful try saves it (throttling).
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        from django_otp.util import random_hex

        key = request.session.get(OTP_PENDING_KEY) or random_hex(20)
        request.session[OTP_PENDING_KEY] = key
        device = TOTPDevice(user=user, name="TOTP", key=key, confirmed=False)
    error = ""
    if request.method == "POST":
        if device.verify_token((request.POST.get("token") or "").strip()):
            device.confirmed = True
            device.save()
            request.session.pop(OTP_PENDING_KEY, None)
            otp_login(request, device)
            request.session[otp.SESSION_KEY] = True
            audit_record(action="otp_enroll", request=request, obj=user)
            messages.success(request, _("两步验证已启用"))
            return redirect(_next_url(request))
        error = _("验证码不正确，请核对手机上的时间后重试")
        audit_record(action="otp_failed", request=request, obj=user, result="failure", message="enroll")
    key = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "enrolled": False,
        "required": policy.needs_second_factor(user),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "qr": _otp_qr_svg(device.config_url),
        "error": error,
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@sensitive_post_parameters("token")
@never_cache
@login_required
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    """Enter the code of the enrolled authenticator after the password."""
    from django_otp import login as otp_login

    from . import otp

    user: Any = request.user
    device = otp.confirmed_device(user)
    if device is None:
        return redirect("accounts:otp_setup")
    error = ""
    if request.method == "POST":
        if device.verify_token((request.POST.get("token") or "").strip()):
            otp_login(request, device)
            audit_record(action="otp_verify", request=request, obj=user)
            return redirect(_next_url(request))
        error = _("验证码不正确或尝试过于频繁，请稍后重试")
        audit_record(action="otp_failed", request=request, obj=user, result="failure", message="verify")
    return render(request, "accounts/otp_verify.html", {"error": error, "next": _next_url(request)})
