"""The error conventions and permission helpers every endpoint relies on, through test-only
views mounted by this module's own urlconf."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Invitation, InvitationRole
from api.exceptions import Conflict
from api.permissions import (
    IsFreelancer,
    IsWorkspaceMember,
    IsWorkspaceOwner,
    IsWorkspaceStaff,
    get_scoped_or_404,
    scoped,
)
from engagements.models import MilestoneState
from engagements.services.transitions import TransitionError
from freelancers.errors import TransitionError as FreelancerTransitionError


class OwnConflict(Exception):
    http_status = 409


class DeclaredError(Exception):
    """Like payments.errors: the domain says how the API answers it."""

    field = None

    def __init__(self, message, *, field=None):
        self.message = message
        self.field = field
        super().__init__(message)


class DeclaredBadInput(DeclaredError):
    http_status = 400


class DeclaredReuse(DeclaredError):
    http_status = 422


class DeclaredHidden(DeclaredError, PermissionDenied):
    http_status = 404


def raising(exc):
    class View(APIView):
        permission_classes = [IsWorkspaceMember]

        def post(self, request):
            raise exc

    return View.as_view()


def role_view(permission):
    class View(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"ok": True})

    return View.as_view()


class InvitationDetail(APIView):
    """Stands in for any object endpoint: invitations have a workspace foreign key."""

    permission_classes = [IsWorkspaceMember]

    def get(self, request, pk):
        invitation = get_scoped_or_404(request, Invitation.objects.all(), pk=pk)
        return Response({"id": invitation.pk})


class InvitationList(APIView):
    permission_classes = [IsWorkspaceMember]

    def get(self, request):
        return Response(sorted(scoped(request, Invitation.objects.all()).values_list("pk", flat=True)))


urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("t/transition/", raising(TransitionError(7, MilestoneState.RELEASED, MilestoneState.DRAFT))),
    path("t/conflict/", raising(Conflict("The engagement is already completed."))),
    path("t/own-conflict/", raising(OwnConflict("Already paid out."))),
    path("t/freelancer-transition/", raising(FreelancerTransitionError("Approve a vetted freelancer only."))),
    path("t/declared-field/", raising(DeclaredBadInput("Enter a positive amount.", field="amount"))),
    path("t/declared-input/", raising(DeclaredBadInput("Pick a date after the start."))),
    path("t/declared-reuse/", raising(DeclaredReuse("That key was used for another payout."))),
    path("t/declared-hidden/", raising(DeclaredHidden("You may not see milestone 7 of Acme."))),
    path("t/django-field-error/", raising(DjangoValidationError({"amount": ["Must be positive."]}))),
    path("t/django-error/", raising(DjangoValidationError("Escrow cannot go negative."))),
    path("t/django-denied/", raising(PermissionDenied())),
    path("t/staff/", role_view(IsWorkspaceStaff)),
    path("t/owner/", role_view(IsWorkspaceOwner)),
    path("t/freelancer/", role_view(IsFreelancer)),
    path("t/invitations/", InvitationList.as_view()),
    path("t/invitations/<int:pk>/", InvitationDetail.as_view()),
]

pytestmark = pytest.mark.urls(__name__)


def test_a_transition_error_is_409_with_a_detail(owner_api):
    response = owner_api.post("/t/transition/")

    assert response.status_code == 409
    assert response.json() == {"detail": "A milestone that is “Draft” cannot become “Released”."}


@pytest.mark.parametrize("url,detail", [
    ("/t/conflict/", "The engagement is already completed."),
    ("/t/own-conflict/", "Already paid out."),
    ("/t/freelancer-transition/", "Approve a vetted freelancer only."),
])
def test_conflicts_are_409(owner_api, url, detail):
    response = owner_api.post(url)

    assert response.status_code == 409
    assert response.json() == {"detail": detail}


def test_a_django_validation_error_is_a_400_field_error(owner_api):
    assert owner_api.post("/t/django-field-error/").json() == {"amount": ["Must be positive."]}
    response = owner_api.post("/t/django-error/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Escrow cannot go negative."]}


@pytest.mark.parametrize("url,code,body", [
    ("/t/declared-field/", 400, {"amount": ["Enter a positive amount."]}),
    ("/t/declared-input/", 400, {"non_field_errors": ["Pick a date after the start."]}),
    ("/t/declared-reuse/", 422, {"detail": "That key was used for another payout."}),
    # The message of a 404 never reaches the client: it could name what is not theirs.
    ("/t/declared-hidden/", 404, {"detail": "Not found."}),
])
def test_a_domain_error_is_answered_with_the_status_it_declares(owner_api, url, code, body):
    response = owner_api.post(url)

    assert response.status_code == code
    assert response.json() == body


def test_permission_denied_reads_as_not_found(owner_api):
    response = owner_api.post("/t/django-denied/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("url,as_owner,as_manager,as_freelancer", [
    ("/t/staff/", 200, 200, 404),
    ("/t/owner/", 200, 404, 404),
    ("/t/freelancer/", 404, 404, 200),
])
def test_role_permissions_answer_404_never_403(owner_api, manager_api, freelancer_api, url, as_owner, as_manager,
                                               as_freelancer):
    assert owner_api.get(url).status_code == as_owner
    assert manager_api.get(url).status_code == as_manager
    assert freelancer_api.get(url).status_code == as_freelancer


def test_role_permissions_answer_401_without_a_token(api_client, db):
    for url in ("/t/staff/", "/t/owner/", "/t/freelancer/"):
        response = api_client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


@pytest.fixture
def invitations(workspace, outsider_workspace):
    ours = Invitation.objects.create(workspace=workspace, email="a@example.com", role=InvitationRole.MANAGER,
                                     token_hash="a" * 64)
    theirs = Invitation.objects.create(workspace=outsider_workspace, email="b@example.com",
                                       role=InvitationRole.MANAGER, token_hash="b" * 64)
    return ours, theirs


def test_scoped_limits_to_the_tokens_workspace(owner_api, outsider_api, invitations):
    ours, theirs = invitations

    assert owner_api.get("/t/invitations/").json() == [ours.pk]
    assert outsider_api.get("/t/invitations/").json() == [theirs.pk]
    assert owner_api.get(f"/t/invitations/{ours.pk}/").json() == {"id": ours.pk}
    assert owner_api.get(f"/t/invitations/{theirs.pk}/").status_code == 404
    assert owner_api.get("/t/invitations/999999/").status_code == 404


def test_scoped_shows_a_freelancer_nothing_unless_told_how_rows_reach_them(freelancer_api, invitations):
    ours, _ = invitations

    assert freelancer_api.get("/t/invitations/").json() == []
    assert freelancer_api.get(f"/t/invitations/{ours.pk}/").status_code == 404


def test_unknown_api_paths_are_json_404s(owner_api):
    response = owner_api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}

    missing_slash = owner_api.get("/api/v1/me")
    assert missing_slash.status_code == 404
    assert "/api/v1/me/" in missing_slash.json()["detail"]


def test_a_post_to_an_unknown_api_path_answers_json_404_not_the_csrf_page(db):
    response = Client(enforce_csrf_checks=True).post("/api/v1/no-such-thing/", {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_path_with_a_newline_still_answers_json_404(db):
    """Found by schemathesis: `.` does not match a newline, so such a path escaped the catch-all."""

    response = Client().get("/api/v1/briefs/%0Aabc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
