"""The ``LOGGING`` setting (imported by the settings modules, so no Django imports here).

``LOG_FORMAT``: ``text`` (default) or ``json``; ``LOG_LEVEL``: the root level. Everything goes
to stderr, which systemd's journal (or docker) collects. See :mod:`keyprojects.core.logs`.
"""

from __future__ import annotations

from typing import Any


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    formatter = "json" if fmt.strip().lower() == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "keyprojects.core.logs.ContextFilter"},
            "refused_host": {"()": "keyprojects.core.logs.RefusedHostFilter"},
        },
        "formatters": {
            "text": {"()": "keyprojects.core.logs.TextFormatter"},
            "json": {"()": "keyprojects.core.logs.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": formatter, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level.strip().upper() or "INFO"},
        "loggers": {
            # keyprojects.request already says every 4xx/5xx with its request id.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
            # a host not in ALLOWED_HOSTS: a one-line WARNING (scanners), not an ERROR with a traceback
            "django.security.DisallowedHost": {"filters": ["refused_host"]},
        },
    }


def gunicorn_logconfig(*, fmt: str) -> dict[str, Any]:
    """gunicorn's own loggers (master and worker start/stop, timeouts) in the same format, for
    ``logconfig_dict`` in deploy/gunicorn.conf.py. Its access log stays off: the application
    writes one line per request itself."""
    config = logging_config(fmt=fmt, level="INFO")
    config["root"] = {"handlers": ["console"], "level": "INFO"}
    config["loggers"] = {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    }
    return config
