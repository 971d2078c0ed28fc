"""Token authentication for writes: django-rest-knox stores only a hash, with an expiry."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """
    knox's token check, hardened against malformed headers: knox decodes the token as UTF-8
    and hashes it as hex, so a header with other bytes would raise instead of being refused.
    Anything that is not a token knox could have issued is answered 401, never 500.
    """

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        length = len(knox_settings.TOKEN_PREFIX) + knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
        body = text[len(knox_settings.TOKEN_PREFIX) :]
        if len(text) != length or len(body) < CONSTANTS.TOKEN_KEY_LENGTH or not body.isalnum():
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 (the header word)
        definition["description"] = (
            "A token from `POST /api/v1/auth/login/`, sent as `Authorization: Token <token>`. "
            "Tokens expire and can be revoked with `POST /api/v1/auth/logout/`."
        )
        return definition
