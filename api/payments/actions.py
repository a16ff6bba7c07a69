"""The one shape of a money action in the API, so each endpoint only says what differs.

A money action (fund, release, refund, resolve, a bonus, a payout, approving a week) is a POST
on one object that:

1. finds the object through the token's scope (404 outside it: `subject`);
2. checks the body with its serializer (`payload`; 400 with field errors);
3. calls ONE payments service (`act`), handing it the `Idempotency-Key` namespaced by user
   (`service_key`), so the ledger itself refuses to do the action twice even after the stored
   API response has been purged;
4. answers with what the action produced (`answer`, with `success_status`).

The `Idempotency-Key` header is required and replayed by `@idempotent` (api/idempotency.py).
The service's refusals are mapped by the API's one exception handler (api/exceptions.py:
`payments.errors` declare their status — 400 on the field they name, 404 for what the token
may not do, 409 for a state that does not fit, 422 for a reused key). `money_action(...)`
documents all of that for one endpoint in the schema.

A POST that moves no money but shares the shape (opening a dispute) overrides `post` without
`@idempotent` and gives the service a fresh key of its own.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from ..idempotency import idempotent
from ..permissions import IsWorkspaceStaff
from ..schema import errors
from .access import service_key

ACTION_ERRORS = (400, 404, 409)


def money_action(*, operation_id, summary, description, request, response, status=200):
    """The schema of a money action's POST: its request body, its answer and the errors it can
    give (the header and 422 are added by `@idempotent` and the schema hook)."""
    return extend_schema_view(post=extend_schema(
        operation_id=operation_id, summary=summary, description=description, request=request,
        responses={status: response, **errors(*ACTION_ERRORS)},
    ))


# No class docstrings on the action classes: the schema would show them as the description of
# every operation on a subclass that has none of its own (the lists beside bonuses and payouts).
class MoneyAction(APIView):
    # Configure `payload`, `subject`, `act` and `answer`; `post` is the same for every action.

    permission_classes = [IsWorkspaceStaff]
    payload = None  # the body's serializer class; None for an action without a body
    success_status = 200

    def subject(self, request, pk):
        raise NotImplementedError

    def act(self, request, subject, data, key):
        """Call the one service this action is; return what it returns."""
        raise NotImplementedError

    def answer(self, subject, result):
        raise NotImplementedError

    def service_key(self, request):
        return service_key(request)

    @idempotent
    def post(self, request, pk):
        return self.perform(request, pk)

    def perform(self, request, pk):
        subject = self.subject(request, pk)
        data = {}
        if self.payload is not None:
            body = self.payload(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        result = self.act(request, subject, data, self.service_key(request))
        return Response(self.answer(subject, result), status=self.success_status)
