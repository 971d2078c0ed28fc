"""Token authentication for writes: django-rest-knox stores only a hash, with an expiry."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import CONSTANTS, knox_settings
from rest_framework import authentication, exceptions
from rest_framework.request import is_form_media_type


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


class SessionAuthentication(authentication.SessionAuthentication):
    """
    DRF's session authentication, with the CSRF check kept from reading a JSON body.

    Django's CSRF check looks for the token in `request.POST` first, and on DRF's request that
    parses the whole body, whatever its type, before the permission check has run: a hostile
    body met the parser on behalf of someone who may not write at all. A JSON body cannot carry
    the form field, so the check is shown the form only when the body is a form; the token
    then comes from the X-CSRFToken header, as Django documents for AJAX.
    """

    def enforce_csrf(self, request):
        super().enforce_csrf(CsrfCheckedRequest(request))


class CsrfCheckedRequest:
    """The request as the CSRF check sees it: the same, except that only a form body is read."""

    def __init__(self, request):
        self.request = request

    def __getattr__(self, name):
        return getattr(self.request, name)

    @property
    def POST(self):
        if is_form_media_type(self.request.content_type):
            return self.request.POST
        return QueryDict()


class SessionScheme(SpectacularSessionScheme):
    """The session cookie in the schema, as drf-spectacular describes DRF's own class."""

    target_class = "config.api.authentication.SessionAuthentication"
