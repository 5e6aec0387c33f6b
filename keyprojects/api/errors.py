"""API errors as ``{"code", "message", "extra"}`` (architecture.md §5)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from keyprojects.core.errors import ApplicationError, ValidationFailed

DRF_CODES = {
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录"),
    exceptions.AuthenticationFailed: ("authentication_failed", "身份验证失败"),
    exceptions.PermissionDenied: ("permission_denied", "没有执行该操作的权限"),
    exceptions.NotFound: ("not_found", "对象不存在或无权访问"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法"),
    exceptions.ParseError: ("parse_error", "请求格式错误"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的内容类型"),
    exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供请求的格式"),
}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = ValidationFailed.from_django(exc)
    if isinstance(exc, ApplicationError):
        if exc.code == "permission_denied":
            _audit_denial(context)
        headers = {"WWW-Authenticate": 'Token realm="api"'} if exc.status == 401 else None
        return Response(exc.as_dict(), status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        body = ValidationFailed(extra={"fields": _flatten(exc.detail)}).as_dict()
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        code, message = DRF_CODES.get(type(exc), (exc.default_code, str(exc.detail)))
        for klass, (c, m) in DRF_CODES.items():
            if isinstance(exc, klass):
                code, message = c, m
                break
        if isinstance(exc, exceptions.PermissionDenied):
            _audit_denial(context)
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
        return Response({"code": code, "message": message, "extra": {}}, status=exc.status_code, headers=headers)
    return None


def _audit_denial(context: dict[str, Any]) -> None:
    from keyprojects.audit.services import audit_record

    request = context.get("request")
    audit_record(action="permission_denied", request=request, result="denied", message=getattr(request, "path", ""))
