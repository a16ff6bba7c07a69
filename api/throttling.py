from rest_framework.throttling import SimpleRateThrottle

from accounts.throttling import client_ip


class TokenThrottle(SimpleRateThrottle):
    """Requests for a new token, per client address (rate: DEFAULT_THROTTLE_RATES["token"]).

    A coarse brake on password guessing across many accounts from one address; django-axes
    (through `authenticate`) locks a single account + address after repeated failures.
    """

    scope = "token"

    def get_ident(self, request):
        # DRF's own reads X-Forwarded-For as sent, so a forged one would escape the limit.
        return client_ip(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
