from django import forms

from accounts.models import Invitation, InvitationRole, InvitationStatus, Membership


class TeammateInviteForm(forms.Form):
    email = forms.EmailField(label="Teammate's email")

    def __init__(self, *args, workspace, **kwargs):
        self.workspace = workspace
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(workspace=self.workspace, user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already a member of the workspace.")
        return email


def pending_teammate_invitations(workspace):
    return Invitation.objects.filter(
        workspace=workspace, role=InvitationRole.MANAGER, status=InvitationStatus.PENDING
    ).select_related("invited_by")
