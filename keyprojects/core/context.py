"""Request context helpers (client IP) shared by audit and login security.

``X-Forwarded-For`` is believed only when the request comes from an address listed in the
``TRUSTED_PROXIES`` setting (addresses or networks, from the environment variable of the same
name). The client is then the right-most address in the header that is not itself a trusted
proxy; anything unparsable falls back to the connecting address (issue 11, reliability.md 17, 21).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def trusted_proxy(address: str) -> bool:
    nets = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    ip = _parse(address)
    return ip is not None and any(ip in n for n in nets)


def client_ip(request: Any) -> str:
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not trusted_proxy(remote):
        return remote
    for hop in reversed(str(forwarded).split(",")):
        ip = _parse(hop)
        if ip is None:
            return remote
        if not trusted_proxy(str(ip)):
            return str(ip)
    return remote
