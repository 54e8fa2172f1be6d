"""A per-token rate limit: the client's `rate_per_minute`, counted per token in the cache.
Calls without a token (the schema and its documentation page) are limited per address."""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self):
        return None  # set per request from the client, in allow_request

    def allow_request(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        self.num_requests, self.duration = max(1, token.client.rate_per_minute), 60
        self.rate = f"{self.num_requests}/min"
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(AnonRateThrottle):
    scope = "api_anonymous"

    def allow_request(self, request, view):
        if isinstance(request.auth, ApiToken):
            return True
        return super().allow_request(request, view)
