from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Freelancer portal"

    def ready(self):
        # Session plumbing, not domain logic: a login stamps the session with the person's
        # portal session epoch so that revoking their access can end it (portal/sessions.py).
        # Imported here, not at the top: models may only be imported once the app registry is ready.
        from accounts.models import InvitationRole
        from accounts.services import invitation_role_register
        from engagements.services.lifecycle import offer_invitation_register
        from freelancers.services.freelancer import do_not_hire_consequence_register
        from notifications.reminders import invitee_zones_register

        from .selectors import invited_freelancer_zones
        from .services.do_not_hire import CONSEQUENCE
        from .services.invitation import PORTAL_ROLE_HOOK, portal_invitation_for_offer_email
        from .sessions import stamp_on_login

        user_logged_in.connect(stamp_on_login, dispatch_uid="portal.stamp_on_login")
        # What accepting a freelancer's invitation means (accounts.services.invitation_accept).
        invitation_role_register(InvitationRole.FREELANCER, PORTAL_ROLE_HOOK)
        # An offer to a freelancer without a login carries their invitation in the brief email.
        offer_invitation_register(portal_invitation_for_offer_email)
        # What marking a freelancer do-not-hire means for their login and invitations.
        do_not_hire_consequence_register("portal", CONSEQUENCE)
        # A portal invitation's reminder keeps to decent hours in the freelancer's zone.
        invitee_zones_register(InvitationRole.FREELANCER, invited_freelancer_zones)
