"""Production: everything secret or host-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, database_config, logging_config


def _require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} is required in production.")
    return value


DEBUG = False
KEYPROJECTS_PRODUCTION = True
SECRET_KEY = _require("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _require("ALLOWED_HOSTS").split(",") if h.strip()]
DATABASES = {"default": database_config(_require("DATABASE_URL"))}

SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
# includeSubDomains and preload suit a host that owns its domain; an intranet host under a shared
# domain turns them off (SECURE_HSTS_INCLUDE_SUBDOMAINS=0, SECURE_HSTS_PRELOAD=0), and the
# matching deploy-check warning is then silenced on purpose.
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
# TOTP for the three administrators and superusers unless OTP_REQUIRED=0 (issue 11).
KEYPROJECTS_OTP_REQUIRED = os.environ.get("OTP_REQUIRED", "1") == "1"
# Schema and API docs need a login unless API_DOCS_LOGIN_REQUIRED=0 (issue 11).
KEYPROJECTS_API_DOCS_LOGIN_REQUIRED = os.environ.get("API_DOCS_LOGIN_REQUIRED", "1") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Static files served by the app itself (intranets often have no separate web server).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [*MIDDLEWARE[: _security + 1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security + 1 :]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # whitenoise's hashed, compressed files, readable by nginx (0644/0755, not the uploads' 0600/0700).
    "staticfiles": {"BACKEND": "keyprojects.core.staticstorage.PublicCompressedManifestStaticFilesStorage"},
}
# A file cache in CACHE_DIR is shared by the gunicorn workers of one host, so rate limits (Open311
# api_key failures) count exactly; without it each worker counts on its own.
if os.environ.get("CACHE_DIR"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": os.environ["CACHE_DIR"]}}
LOGGING = logging_config(fmt=os.environ.get("LOG_FORMAT", "text"), level=os.environ.get("LOG_LEVEL", "INFO"))
