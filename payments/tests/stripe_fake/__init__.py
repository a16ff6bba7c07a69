"""An offline, stateful fake of the Stripe API for the Stripe payment rail's tests."""

from .http import FakeHTTPClient
from .state import TEST_KEY, FakeStripe
from .store import StripeError
from .webhooks import Delivery

__all__ = ["TEST_KEY", "Delivery", "FakeHTTPClient", "FakeStripe", "StripeError"]
