"""Demo portal login for `manage.py demo`: Jonas Berg (the engagements demo's video editor, on
an active engagement with a playbook and shared access) accepted a portal invitation, through
the same invitation and acceptance actions as a real freelancer. Idempotent; prints nothing
(the demo command prints the login)."""

from django.db import transaction

from accounts import services as account_services
from accounts.models import InvitationRole, User
from freelancers.models import Freelancer
from payments import demo_pay_models

DEMO_FREELANCER_EMAIL = "jonas.berg@demo.example"
DEMO_FREELANCER_PASSWORD = "demo-freelancer-2026"


@transaction.atomic
def load(workspace, owner):
    freelancer = Freelancer.objects.filter(workspace=workspace, email=DEMO_FREELANCER_EMAIL).first()
    if freelancer is None or freelancer.user_id:
        return freelancer
    user = User.objects.filter(email=DEMO_FREELANCER_EMAIL).first()
    if user is None:
        # Its password is set by outsourcing.demo after the transaction (hashing is slow).
        user = User.objects.create_user(email=DEMO_FREELANCER_EMAIL, password=None,
                                        full_name=freelancer.name, timezone=freelancer.timezone)
    issued = account_services.invitation_issue(workspace=workspace, email=freelancer.email,
                                               role=InvitationRole.FREELANCER, invited_by=owner,
                                               target_id=freelancer.pk)
    joined = account_services.invitation_accept(token=issued.token, user=user).joined
    freelancer.refresh_from_db()
    demo_pay_models.freelancer_side(freelancer)  # his side of the commission demo, now he can sign in
    return joined
