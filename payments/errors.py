"""What a money action refuses, and how the API answers it.

Every refusal is raised inside the action's database transaction, so nothing is written. The
messages are shown to people (pages and the API's `detail`), so they say what to do.
"""

from django.core.exceptions import PermissionDenied


class PaymentError(Exception):
    """Base class. `http_status` is how the API answers it."""

    http_status = 400
    field = None

    def __init__(self, message, *, field=None):
        self.message = message
        if field is not None:
            self.field = field
        super().__init__(message)


class InvalidInput(PaymentError):
    """Bad parameters: zero or negative amounts, a missing reason, a wrong date (400)."""


class CurrencyMismatch(InvalidInput):
    """An amount in a currency other than the engagement's (400)."""


class StateConflict(PaymentError):
    """The action does not fit the current state (409): releasing work that was never
    submitted, funding twice, resolving a milestone that is not disputed."""

    http_status = 409


class BudgetExceeded(StateConflict):
    """Funding would take committed spend past budget + contingency (409)."""


class InsufficientFunds(StateConflict):
    """Escrow or a payable balance would go negative (409)."""


class IdempotencyConflict(PaymentError):
    """The idempotency key was already used for a different request (422)."""

    http_status = 422


class NotAllowed(PaymentError, PermissionDenied):
    """The actor may not take this action (pages: 404/403; API: 404, ids leak nothing)."""

    http_status = 404


class ProviderNotEnabled(StateConflict):
    """An action of a payment provider this deployment does not use (409): setting up Stripe
    payouts while money moves off the platform."""


class ProviderError(PaymentError):
    """The payment provider refused the request or could not be reached (502). Nothing was
    recorded; `retryable` says whether the same request may succeed later (a timeout, a 5xx)."""

    http_status = 502
    retryable = False

    def __init__(self, message, *, retryable=False, field=None):
        super().__init__(message, field=field)
        self.retryable = retryable
