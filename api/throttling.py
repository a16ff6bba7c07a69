from rest_framework.throttling import SimpleRateThrottle


class TokenThrottle(SimpleRateThrottle):
    """Requests for a new token, per client address (rate: DEFAULT_THROTTLE_RATES["token"]).

    A coarse brake on password guessing across many accounts from one address; django-axes
    (through `authenticate`) locks a single account + address after repeated failures.
    """

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
