"""Authentication by API token: `Authorization: Bearer <key>`, named first in
settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"].

The rest of the API's plumbing is in `articles/rest.py`; this one class reads integrations' own
table (`ApiToken`), which articles may not import, so it lives with the tokens. DRF imports it
while `rest_framework.views` is still loading, so this module must not import DRF's views (or
anything that does) at the top.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from articles import cache, permissions
from integrations import services
from integrations.models import hash_key


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`) with a key from integrations.ApiToken.

    A request without such a header is left to the next class (the browser session); a header
    with a wrong, revoked or malformed key is refused with 401, never silently anonymous.

    The token row, its user and the user's roles are remembered per key for as long as the data
    version stays the same (articles/cache.py): revoking the token, deactivating the user or
    changing their roles changes the version, so the next request reads them again. No bound to
    wait for: a revocation holds from the request after it commits."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: send `Authorization: Bearer <token>`."
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = self._token(request, raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        return token.user, token

    def _token(self, request: Any, raw: str) -> Any:
        version = cache.data_version(request)
        key = None
        if version is not None and raw and len(raw) <= 200:
            key = f"token:{hash_key(raw)}"
            cached = caches["api"].get(key)
            if cached is not None and cached[0] == version:
                token = cached[1]
                if self._touch(token):
                    caches["api"].set(key, cached)
                return token
        token = services.find_api_token(raw)
        if token is None:
            return None
        if token.revoked_at is None and token.user.is_active:
            permissions.is_editor(token.user)  # reads the roles once; they are kept on the user
        self._touch(token)
        if key is not None:
            caches["api"].set(key, (version, token))
        return token

    @staticmethod
    def _touch(token: Any) -> bool:
        """Record the use (once a minute, `services.touch_api_token`); True if it wrote."""
        if token.revoked_at is not None:
            return False
        before = token.last_used_at
        services.touch_api_token(token)
        return token.last_used_at != before

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
