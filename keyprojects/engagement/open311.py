"""Open311 GeoReport v2 at ``/open311/v2/`` (issue 15; https://wiki.open311.org/GeoReport_v2).

* ``services.{json,xml}``: the active 诉求类别 (``service_code`` = the category's code);
* ``services/{code}.{json,xml}``: a service definition (no extra attributes);
* ``requests.{json,xml}``: GET with ``api_key`` and the standard filters ``service_request_id``,
  ``service_code``, ``start_date``, ``end_date``, ``status``; POST with ``api_key``,
  ``service_code``, ``description`` and ``lat``/``long`` or ``address_string``;
* ``requests/{id}.{json,xml}``: one request.

Every call takes ``locale`` too (an extension: GeoReport v2 itself has no language parameter):
``locale=en`` (``en_US``, ``en-GB`` …) answers in English: a service's or request's
``service_name`` (and a service's ``description``) is its category's ``name_en`` (the Chinese where
it has none), and a request's status in ``status_notes`` and its ``service_notice`` are English;
what people wrote (descriptions, replies, unit names) stays as written. Anything else or none
answers in Chinese, as before. Only that parameter decides: not the browser's Accept-Language, not
the web UI's language cookie, so a script that does not ask gets what it always got.

``jurisdiction_id``, when given, must be ``settings.KEYPROJECTS_PROVINCE_CODE``. A key belongs to
one enterprise and sees only that enterprise's requests (another's answer 404). Statuses are
``open``/``closed`` only (closed: answered, 已答复 or 已办结); the internal state is in
``status_notes``. Errors come as ``[{"code": <http status>, "description": ...}]``.

Rate limits (:mod:`keyprojects.core.ratelimit`): a client address with
``KEYPROJECTS_OPEN311_KEY_FAILURES`` wrong ``api_key`` attempts in the window is answered 429
with ``Retry-After`` on every call that needs a key until the window ends (a right key does not
lift it); a key may submit ``KEYPROJECTS_OPEN311_SUBMISSIONS`` requests per window.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from keyprojects.accounts import policy
from keyprojects.core import ratelimit
from keyprojects.core.context import client_ip
from keyprojects.core.errors import ApplicationError
from keyprojects.core.localized import ENGLISH, english_active, in_language

from .choices import ANSWERED_STATUSES, OPEN_STATUSES, Source
from .models import EnterpriseRequest, Open311Key, RequestCategory
from .services import request_create
from .services_keys import open311_key_lookup

MAX_RESULTS = 1000
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, status: int, description: str, *, retry_after: int | None = None):
        self.status = status
        self.description = description
        self.retry_after = retry_after
        super().__init__(description)


# --- rendering -----------------------------------------------------------------------------


def _xml(root_tag: str, item_tag: str, items: list[dict[str, Any]]) -> bytes:
    root = ET.Element(root_tag)
    for item in items:
        el = ET.SubElement(root, item_tag)
        for k, v in item.items():
            child = ET.SubElement(el, k)
            if isinstance(v, list):
                for x in v:
                    if isinstance(x, dict):  # attachments: one element each, its fields inside
                        sub = ET.SubElement(child, "attachment")
                        for name, value in x.items():
                            ET.SubElement(sub, name).text = str(value)
                    else:
                        ET.SubElement(child, "keyword" if k == "keywords" else "attribute").text = str(x)
            elif v is not None:
                child.text = "true" if v is True else "false" if v is False else str(v)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


_XML_TAGS = {
    "services": ("services", "service"),
    "service": ("service_definition", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def _respond(fmt: str, kind: str, items: list[dict[str, Any]] | dict[str, Any], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        root, item = _XML_TAGS[kind]
        rows = items if isinstance(items, list) else [items]
        return HttpResponse(_xml(root, item, rows), status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(items, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _error(fmt: str, status: int, description: str, *, retry_after: int | None = None) -> HttpResponse:
    response = _respond(fmt, "errors", [{"code": status, "description": description}], status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else None


def service_json(cat: RequestCategory) -> dict[str, Any]:
    """A service in the active language. In English a category with an English name gives it as
    ``service_name`` and ``description`` too (the description is kept in Chinese only); one
    without gives the Chinese, as the Chinese answer does."""
    name, description = cat.name, cat.description or cat.name
    if english_active() and cat.name_en:
        name = description = cat.name_en
    return {
        "service_code": cat.code,
        "service_name": name,
        "description": description,
        "metadata": False,
        "type": "realtime",
        "keywords": [],
        "group": gettext("企业诉求"),
    }


def _language(request: HttpRequest) -> str:
    """The answer's language: English when ``locale`` says English (``en``, ``en_US``, ``en-GB``),
    Chinese otherwise."""
    locale = (request.GET.get("locale") or _params(request).get("locale") or "").strip().lower().replace("_", "-")
    return ENGLISH if locale == ENGLISH or locale.startswith(ENGLISH + "-") else settings.LANGUAGE_CODE


def request_json(req: EnterpriseRequest) -> dict[str, Any]:
    units = [a.unit.name for a in req.assignments.all() if a.active]
    if req.status in ANSWERED_STATUSES:
        # Translators: Open311 status_notes of an answered request: its status, then the reply as written
        notes = gettext("%(status)s：%(reply)s") % {"status": req.get_status_display(), "reply": req.reply}
    else:
        notes = str(req.get_status_display())
    expected = dt.datetime.combine(req.resolve_due, dt.time(18, 0), tzinfo=timezone.get_current_timezone())
    return {
        "service_request_id": req.number,
        "status": "closed" if req.status in ANSWERED_STATUSES else "open",
        "status_notes": notes,
        "service_name": in_language(req.category.name, req.category.name_en),
        "service_code": req.category.code,
        "description": req.description,
        "agency_responsible": "、".join(units),
        "service_notice": gettext("受理时限 %(acknowledge)s，办理时限 %(resolve)s（工作日计算）")
        % {"acknowledge": f"{req.acknowledge_due:%Y-%m-%d}", "resolve": f"{req.resolve_due:%Y-%m-%d}"},
        "requested_datetime": _iso(req.submitted_at),
        "updated_datetime": _iso(req.updated_at),
        "expected_datetime": _iso(expected) if req.status in OPEN_STATUSES else None,
        "address": req.address_string,
        "address_id": None,
        "zipcode": None,
        "lat": float(req.latitude) if req.latitude is not None else None,
        "long": float(req.longitude) if req.longitude is not None else None,
        "media_url": None,
        # an extension of GeoReport v2, read-only: the documents attached to the request and to
        # its reply (downloaded on the web page by those who see the request)
        "attachments": [{"name": f.name, "size": f.size, "content_type": f.content_type, "stage": f.stage} for f in req.attachments.all()],
    }


# --- parsing -------------------------------------------------------------------------------


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _check_jurisdiction(request: HttpRequest) -> None:
    jid = _params(request).get("jurisdiction_id")
    if jid not in (None, "") and jid != policy.province_code():
        raise Open311Error(404, f"jurisdiction_id {jid} 不由本系统受理（本系统：{policy.province_code()}）")


def _limit(name: str) -> tuple[int, int]:
    limit, window = getattr(settings, name)
    return int(limit), int(window)


def _too_many(wait: int, what: str) -> Open311Error:
    return Open311Error(429, f"{what}，请 {wait} 秒后重试", retry_after=wait)


def _key(request: HttpRequest) -> Open311Key:
    """The live key of the call; 429 once the client address has too many failed attempts."""
    limit, window = _limit("KEYPROJECTS_OPEN311_KEY_FAILURES")
    address = f"open311-key-fail:{client_ip(request)}"
    wait = ratelimit.blocked(address, limit=limit, window=window)
    if wait is not None:
        raise _too_many(wait, "api_key 验证失败次数过多")
    raw = _params(request).get("api_key")
    if not raw:
        raise Open311Error(403, "缺少 api_key")
    key = open311_key_lookup(raw)
    if key is None:
        ratelimit.hit(address, window=window)
        raise Open311Error(403, "api_key 无效或已吊销")
    return key


def _submit(request: HttpRequest, key: Open311Key) -> dict[str, Any]:
    """POST a request: 429 once ``key`` has submitted its share in the window (only requests
    actually raised count)."""
    limit, window = _limit("KEYPROJECTS_OPEN311_SUBMISSIONS")
    name = f"open311-submit:{key.pk}"
    wait = ratelimit.blocked(name, limit=limit, window=window)
    if wait is not None:
        raise _too_many(wait, "提交过于频繁")
    answer = _post_request(request, key)
    ratelimit.hit(name, window=window)
    return answer


def _moment(value: str, name: str) -> dt.datetime:
    text = value.strip().replace(" ", "+") if value else ""
    moment = parse_datetime(text) if text else None
    if moment is None and text:
        day = parse_date(text)
        moment = dt.datetime.combine(day, dt.time()) if day else None
    if moment is None:
        raise Open311Error(400, f"{name} 应为 ISO 8601 日期时间")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _own(key: Open311Key) -> Any:
    return (
        EnterpriseRequest.objects.filter(enterprise_id=key.enterprise_id)
        .select_related("category")
        .prefetch_related("assignments__unit", "attachments")
        .order_by("-submitted_at", "-id")
    )


def _request_pk(text: str) -> int | None:
    t = text.strip().upper()
    if t.startswith("SQ"):
        t = t[2:]
    return int(t) if t.isdigit() and len(t) < 12 else None


def _list_requests(request: HttpRequest, key: Open311Key) -> list[dict[str, Any]]:
    p = request.GET
    qs = _own(key)
    ids = [x for x in (p.get("service_request_id") or "").split(",") if x.strip()]
    if ids:
        pks = [pk for pk in (_request_pk(x) for x in ids) if pk is not None]
        return [request_json(r) for r in qs.filter(pk__in=pks)[:MAX_RESULTS]]
    codes = [c.strip() for c in (p.get("service_code") or "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    start = _moment(p["start_date"], "start_date") if p.get("start_date") else None
    end = _moment(p["end_date"], "end_date") if p.get("end_date") else None
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lte=end)
    statuses = {s.strip() for s in (p.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能为 open 或 closed")
    if statuses == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=ANSWERED_STATUSES)
    return [request_json(r) for r in qs[:MAX_RESULTS]]


def _post_request(request: HttpRequest, key: Open311Key) -> dict[str, Any]:
    p = request.POST
    code = (p.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code")
    if not RequestCategory.objects.filter(code=code, is_active=True).exists():
        raise Open311Error(404, f"service_code {code} 不存在")
    description = (p.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "缺少 description")
    lat, long, address = p.get("lat"), p.get("long"), (p.get("address_string") or "").strip()
    if not address and (lat in (None, "") or long in (None, "")):
        raise Open311Error(400, "须提供位置：lat 和 long，或 address_string")
    name = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    data = {
        "category": code,
        "title": description.splitlines()[0][:100],
        "description": description,
        "address_string": address[:200],
        "latitude": lat or None,
        "longitude": long or None,
        "contact_name": name[:50],
        "contact_phone": (p.get("phone") or "")[:32],
    }
    req = request_create(
        user=None, enterprise=key.enterprise, data=data, source=Source.OPEN311, actor_name=f"Open311 {key.prefix}", request=request
    )
    notice = gettext("已受理登记，%(acknowledge)s 前受理，%(resolve)s 前答复") % {
        "acknowledge": f"{req.acknowledge_due:%Y-%m-%d}",
        "resolve": f"{req.resolve_due:%Y-%m-%d}",
    }
    return {"service_request_id": req.number, "service_notice": notice, "account_id": None}


# --- views ---------------------------------------------------------------------------------


def _run(request: HttpRequest, fmt: str, handler: Any) -> HttpResponse:
    if fmt not in ("json", "xml"):
        return _error("json", 404, "格式只支持 json 或 xml")
    try:
        _check_jurisdiction(request)
        return handler()  # type: ignore[no-any-return]
    except Open311Error as exc:
        return _error(fmt, exc.status, exc.description, retry_after=exc.retry_after)
    except ApplicationError as exc:
        fields = exc.extra.get("fields", {}) if isinstance(exc.extra, dict) else {}
        detail = "；".join(f"{k}: {'、'.join(v)}" for k, v in fields.items()) if fields else exc.message
        return _error(fmt, 400 if exc.status < 500 else exc.status, detail)


def services(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _error(fmt if fmt in ("json", "xml") else "json", 405, "只支持 GET")

    def handler() -> HttpResponse:
        with translation.override(_language(request)):
            items = [service_json(c) for c in RequestCategory.objects.filter(is_active=True)]
        return _respond(fmt, "services", items)

    return _run(request, fmt, handler)


def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    def handler() -> HttpResponse:
        if request.method != "GET":
            raise Open311Error(405, "只支持 GET")
        cat = RequestCategory.objects.filter(code=code, is_active=True).first()
        if cat is None:
            raise Open311Error(404, f"service_code {code} 不存在")
        return _respond(fmt, "service", {"service_code": cat.code, "attributes": []})

    return _run(request, fmt, handler)


@csrf_exempt
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    def handler() -> HttpResponse:
        if request.method not in ("GET", "POST"):
            raise Open311Error(405, "只支持 GET 和 POST")
        key = _key(request)
        with translation.override(_language(request)):
            if request.method == "POST":
                return _respond(fmt, "requests", [_submit(request, key)], status=201)
            return _respond(fmt, "requests", _list_requests(request, key))

    return _run(request, fmt, handler)


def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    def handler() -> HttpResponse:
        if request.method != "GET":
            raise Open311Error(405, "只支持 GET")
        key = _key(request)
        pk = _request_pk(request_id)
        req = _own(key).filter(pk=pk).first() if pk is not None else None
        if req is None:
            raise Open311Error(404, f"service_request_id {request_id} 不存在")
        with translation.override(_language(request)):
            return _respond(fmt, "requests", [request_json(req)])

    return _run(request, fmt, handler)
