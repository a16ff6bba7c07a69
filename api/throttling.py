import logging

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.throttling import SimpleRateThrottle

from accounts.throttling import client_ip

log = logging.getLogger(__name__)

# Where the counts go while the shared cache (Redis) cannot be reached: this process's memory.
_LOCAL = LocMemCache("api-token-throttle", {})


class TokenThrottle(SimpleRateThrottle):
    """Requests for a new token, per client address (rate: DEFAULT_THROTTLE_RATES["token"]).

    A coarse brake on password guessing across many accounts from one address; django-axes
    (through `authenticate`) locks a single account + address after repeated failures.

    The counts live in the shared cache. When it is down (Redis stopped), signing in must not
    fail with it: the counts go to this process's memory until it is back, so the brake holds
    per web process meanwhile, and axes's lock-outs (in the database) hold as ever.
    """

    scope = "token"

    def get_ident(self, request):
        # DRF's own reads X-Forwarded-For as sent, so a forged one would escape the limit.
        return client_ip(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            log.warning("The cache is unreachable; counting token requests in this process meanwhile", exc_info=True)
            self.cache = _LOCAL
            return super().allow_request(request, view)
