"""How a script proves who it is: `Authorization: Token <key>` (or `Bearer <key>`), a key made on
the token page. A revoked key, or one of a suspended (inactive) account, answers 401."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import Token

KEYWORDS = ("token", "bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None  # not a token: the session may still say who it is
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after the word Token, separated by one space."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            key = None
        token = Token.find(key) if key else None
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown or revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token's account is suspended."))
        token.used()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"
