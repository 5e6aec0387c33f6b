"""Settings shared by every environment.

Environment variables: ``DATABASE_URL`` (``sqlite:////abs/path.sqlite3`` or
``postgres://user@host:5432/db``), ``SECRET_KEY``, ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from keyprojects.core.logconfig import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KEYPROJECTS_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key-change-me")
DEBUG = False
KEYPROJECTS_PRODUCTION = False  # True only in config.settings.prod (seed_demo refuses to run there)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "keyprojects.accounts.admin_apps.KeyprojectsAdminConfig",  # /admin/: superuser only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "keyprojects.core",
    "keyprojects.audit",
    "keyprojects.regions",
    "keyprojects.accounts",
    "keyprojects.enterprises",
    "keyprojects.projects",
    "keyprojects.dispatch",
    "keyprojects.approvals",
    "keyprojects.engagement",
    "keyprojects.partnership",
    "keyprojects.cultivation",
    "keyprojects.brands",
    "keyprojects.attraction",
    "keyprojects.analytics",
    "keyprojects.dataio",
    "keyprojects.demo",
    "keyprojects.api",
]

MIDDLEWARE = [
    "keyprojects.core.middleware.HeadWithoutBodyMiddleware",  # HEAD: GET's headers, no body (outermost)
    "keyprojects.core.health.HealthProbeMiddleware",  # /healthz, /readyz: before host checks and the https redirect
    "keyprojects.core.logs.RequestLogMiddleware",  # request id, one log line per request
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "keyprojects.core.middleware.ChineseFirstLocaleMiddleware",  # zh-hans unless the language switch says otherwise
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "keyprojects.accounts.middleware.SessionPolicyMiddleware",
    "keyprojects.accounts.middleware.SeparationOfDutiesMiddleware",  # no business page for an administrator
    "keyprojects.accounts.otp.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "keyprojects.core.middleware.DatabaseBusyMiddleware",
    "keyprojects.core.middleware.NoStoreForAuthenticatedMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "keyprojects.accounts.context_processors.policy",
            ],
            "builtins": ["keyprojects.core.templatetags.kp"],
        },
    }
]


def database_config(url: str | None) -> dict[str, Any]:
    """Build the default database from ``DATABASE_URL`` with our SQLite durability options."""
    url = url or f"sqlite:///{VAR_DIR / 'keyprojects.sqlite3'}"
    cfg: dict[str, Any] = dj_database_url.parse(url, conn_max_age=0)
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        cfg["OPTIONS"] = {
            # WAL + FULL sync: no committed write is lost on power failure (reliability.md 9).
            # Temporary storage in memory: a statement's own journal (kept so that a failing
            # statement is undone inside a transaction) and the sorts of an index build; on disk
            # they were thousands of writes to a file deleted at the end (a 15,000-row import:
            # 7,600 writes, 15 MB; ADR 0010). What is committed goes to the WAL as before.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
            # Writers take the lock at BEGIN, so they queue instead of failing mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        cfg.setdefault("OPTIONS", {})
        cfg["CONN_HEALTH_CHECKS"] = True
    return cfg


DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["keyprojects.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "keyprojects.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "keyprojects.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "keyprojects.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]

# TOTP second factor: required of administrators and superusers when on (production default).
KEYPROJECTS_OTP_REQUIRED = os.environ.get("OTP_REQUIRED", "0") == "1"
OTP_TOTP_ISSUER = "keyprojects"

# The cache holds only short-lived counters (rate limits, core/ratelimit.py): in-process by
# default (each worker counts on its own); production may share one between workers (CACHE_DIR).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "keyprojects"}}

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

# Login security (reliability.md 16-18); each is configurable here.
# An account is locked after LOCKOUT_FAILURES failures from any address, for LOCKOUT_MINUTES,
# doubled at each further lock up to LOCKOUT_MAX_MINUTES; an address is blocked after
# LOCKOUT_ADDRESS_FAILURES failures on any accounts within LOCKOUT_ADDRESS_MINUTES.
KEYPROJECTS_LOCKOUT_FAILURES = 5
KEYPROJECTS_LOCKOUT_MINUTES = 30
KEYPROJECTS_LOCKOUT_MAX_MINUTES = 24 * 60
KEYPROJECTS_LOCKOUT_ADDRESS_FAILURES = 20
KEYPROJECTS_LOCKOUT_ADDRESS_MINUTES = 30
KEYPROJECTS_PASSWORD_MAX_AGE_DAYS = 90
# Open311 (docs/adr/0015): an address is answered 429 after this many failed api_key attempts in
# a window of this many seconds; a key may submit this many requests per window (core/ratelimit.py).
KEYPROJECTS_OPEN311_KEY_FAILURES = (10, 10 * 60)
KEYPROJECTS_OPEN311_SUBMISSIONS = (60, 60)
KEYPROJECTS_SESSION_IDLE_SECONDS = 30 * 60
KEYPROJECTS_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
KEYPROJECTS_AUDIT_RETENTION_DAYS = 180
KEYPROJECTS_API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))  # API tokens expire after this many days
# The province this installation serves (GB/T 2260); a superuser without a region works on it.
KEYPROJECTS_PROVINCE_CODE = os.environ.get("KEYPROJECTS_PROVINCE_CODE", "370000")
# 月调度: the first year a reporting month may be opened in (by a save, a submit or an import);
# the last is the current month. Months already opened stay readable whatever their year.
KEYPROJECTS_DISPATCH_FIRST_YEAR = int(os.environ.get("KEYPROJECTS_DISPATCH_FIRST_YEAR", "2020"))
# 导入: a web upload above _BYTES is previewed in the background, and its 确认导入 runs there
# above _ROWS project rows or _BYTES (dataio/services_jobs.py, ADR 0010).
KEYPROJECTS_IMPORT_BACKGROUND_ROWS = int(os.environ.get("KEYPROJECTS_IMPORT_BACKGROUND_ROWS", "2000"))
KEYPROJECTS_IMPORT_BACKGROUND_BYTES = int(os.environ.get("KEYPROJECTS_IMPORT_BACKGROUND_BYTES", str(1024 * 1024)))
# Audit log keys and anchors, kept outside the database (docs/security.md "审计日志").
# AUDIT_HMAC_KEY ("id:secret[,id:secret…]") in the environment takes precedence over the key file.
KEYPROJECTS_AUDIT_KEY_FILE = Path(os.environ.get("AUDIT_HMAC_KEY_FILE", VAR_DIR / "audit-keys.json"))
KEYPROJECTS_AUDIT_ANCHOR_FILE = Path(os.environ.get("AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchors.jsonl"))
KEYPROJECTS_AUDIT_ANCHOR_SYSLOG = os.environ.get("AUDIT_ANCHOR_SYSLOG", "1") == "1"
KEYPROJECTS_AUDIT_ANCHOR_EVERY = int(os.environ.get("AUDIT_ANCHOR_EVERY", "1000"))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # zh-hans: a comma every three digits (floatformat:"2g")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("KEYPROJECTS_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = VAR_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded files and their folders are private to the service account (issue 11).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# /api/schema/, /api/docs/ and /api/redoc/ only for signed-in users (on in production).
KEYPROJECTS_API_DOCS_LOGIN_REQUIRED = os.environ.get("API_DOCS_LOGIN_REQUIRED", "0") == "1"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request gets 401 with WWW-Authenticate, not 403.
        "keyprojects.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A query value the schema forbids is a 400 naming the parameter (issue 17).
    "DEFAULT_FILTER_BACKENDS": ["keyprojects.api.filters.StrictFilterBackend"],
    # JSON only: form and multipart bodies cannot say null (a cleared value); an operation that
    # takes files declares its own parsers.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "keyprojects.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "keyprojects.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "keyprojects API",
    "DESCRIPTION": "重点项目全生命周期推进服务平台 REST API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # What the serializers cannot say (required version on PATCH, strict bodies, per-role
    # writable fields, query patterns): keyprojects/api/schema.py.
    "ENUM_NAME_OVERRIDES": {
        "ReviewLevelEnum": ["county", "city", "province"],
        "LeadStageEnum": "keyprojects.attraction.choices.LeadStage",
        "ApprovalStatusEnum": "keyprojects.approvals.choices.ApprovalStatus",
        "FactorKindEnum": "keyprojects.approvals.choices.FactorKind",
        "FactorSubtypeEnum": "keyprojects.approvals.choices.FactorSubtype",
        "NeedStatusEnum": "keyprojects.approvals.choices.NeedStatus",
        "AgreementSourceEnum": ["attraction", "meeting"],
        "LeadSourceEnum": "keyprojects.attraction.choices.LeadSource",
        "CommitmentKindEnum": "keyprojects.partnership.choices.CommitmentKind",
        "CultivationListKindEnum": "keyprojects.cultivation.choices.ListKind",
        "CultivationEntryStatusEnum": "keyprojects.cultivation.choices.EntryStatus",
        "BrandRoundStatusEnum": "keyprojects.brands.choices.RoundStatus",
        "BrandApplicationStatusEnum": "keyprojects.brands.choices.ApplicationStatus",
        "BrandCategoryEnum": "keyprojects.brands.choices.Category",
        "CategoryEnum": "keyprojects.projects.choices.Category",
        "AssessedKindEnum": "keyprojects.analytics.models.AssessedKind",
        "AssessmentLevelEnum": ["province", "city"],
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "keyprojects.api.schema.postprocess"],
}

# Content Security Policy (django-csp 4): no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Logs (issue 12 §5): LOG_FORMAT=text|json, LOG_LEVEL; time with zone, level and request id on every line.
LOGGING = logging_config(fmt=os.environ.get("LOG_FORMAT", "text"), level=os.environ.get("LOG_LEVEL", "WARNING"))

_ = _  # marker for makemessages on settings strings
