"""What a released milestone can still give back, for the services, pages and the API."""

from dataclasses import dataclass

from django.db.models import Sum

from ..models import (
    AccountKind,
    Entry,
    IntentKind,
    IntentStatus,
    ProviderIntent,
    RefundRequest,
    RefundRequestStatus,
    ReleasedRefund,
    ReleasedRefundStatus,
    TransactionKind,
)

# A refund under way counts as given: two at once cannot both take the same money back.
COUNTED = (ReleasedRefundStatus.STARTED, ReleasedRefundStatus.REFUNDED)


@dataclass(frozen=True)
class RefundFigures:
    released: int  # what the milestone's releases made payable to the freelancer
    refunded: int  # what refunds after release gave back (or are giving back)
    transferred: int  # on Stripe: what reached the freelancer's Stripe account and was not reversed

    @property
    def refundable(self):
        return max(self.released - self.refunded, 0)


def released_refund_figures(milestone):
    released = (Entry.objects.filter(transaction__milestone=milestone, amount__gt=0,
                                     account__kind=AccountKind.PAYABLE,
                                     transaction__kind__in=[TransactionKind.RELEASE, TransactionKind.RESOLVE])
                .aggregate(total=Sum("amount"))["total"] or 0)
    given = ReleasedRefund.objects.filter(milestone=milestone, status__in=COUNTED).aggregate(
        total=Sum("amount"), paid_out=Sum("from_paid_out"))
    transferred = ProviderIntent.objects.filter(milestone=milestone, kind=IntentKind.TRANSFER,
                                                status=IntentStatus.SUCCEEDED).aggregate(total=Sum("amount"))
    return RefundFigures(released=released, refunded=given["total"] or 0,
                         transferred=(transferred["total"] or 0) - (given["paid_out"] or 0))


def open_refund_request(milestone):
    return RefundRequest.objects.filter(milestone=milestone, status=RefundRequestStatus.OPEN).first()


def released_refunds_of(milestone):
    return list(ReleasedRefund.objects.filter(milestone=milestone).order_by("-created_at", "-id"))
