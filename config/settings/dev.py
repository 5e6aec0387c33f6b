"""Local development and `make demo`."""

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]
