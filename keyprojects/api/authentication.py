"""API token authentication over :class:`keyprojects.accounts.models.ApiToken` (issue 11):
hashed keys, expiry, revocation on password/role/scope change and deactivation."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from keyprojects.accounts.services import token_user


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, None]:
        user = token_user(key)
        if user is None:
            raise AuthenticationFailed("令牌无效、已过期或已撤销")
        return user, None
