"""API tokens: `Authorization: Bearer <key>` (or `Token <key>`).

The key is looked up by its SHA-256; a revoked or expired token, or a token of a disabled client,
gets a 401 with a JSON body saying which. `request.user` is the client (an `ApiPrincipal`),
`request.auth` the token."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import ApiToken, hash_key

# last_used_at is written at most this often per token, not on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiPrincipal:
    """The caller of a token-authenticated request: the client, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken):
        self.token = token
        self.client = token.client

    def __str__(self):
        return str(self.client)

    def is_verified(self):  # django-otp asks this of request.user
        return False


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为“Bearer <密钥>”。"))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("密钥含有无效字符。")) from None
        token = ApiToken.objects.select_related("client").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("密钥无效。"))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("该令牌已被吊销。"))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("该令牌已过期，请联系指导中心重新签发。"))
        if not token.client.active:
            raise exceptions.AuthenticationFailed(_("该调用方已停用。"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return ApiPrincipal(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": str(_("指导中心签发的接口令牌"))}
