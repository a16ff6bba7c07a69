"""Print `export FUZZ_<KIND>=<id>` lines naming one real object of each kind in the demo
workspace, so scripts/fuzz-api can hand schemathesis known ids (scripts/fuzz-api.toml): its
positive_data_acceptance check then meets real objects, not only 404s. Run with manage.py shell."""

from accounts.models import Invitation, Workspace
from engagements.models import (
    Agreement,
    AgreementTemplate,
    Attachment,
    Brief,
    BriefQuestion,
    Engagement,
    Message,
    Milestone,
)
from freelancers.models import Freelancer, Interview, Reference
from notifications.models import WebhookEndpoint
from outsourcing.demo import DEMO_WORKSPACE_SLUG
from payments.models import TimeEntry, Timesheet

ws = Workspace.objects.get(slug=DEMO_WORKSPACE_SLUG)
rows = {
    "FREELANCER": Freelancer.objects.filter(workspace=ws),
    "REFERENCE": Reference.objects.filter(freelancer__workspace=ws),
    "INTERVIEW": Interview.objects.filter(freelancer__workspace=ws),
    "ENGAGEMENT": Engagement.objects.filter(workspace=ws, status="active"),
    "BRIEF": Brief.objects.filter(engagement__workspace=ws),
    "QUESTION": BriefQuestion.objects.filter(brief__engagement__workspace=ws),
    "MILESTONE": Milestone.objects.filter(engagement__workspace=ws),
    "MESSAGE": Message.objects.filter(engagement__workspace=ws),
    "ATTACHMENT": Attachment.objects.filter(workspace=ws),
    "INVITATION": Invitation.objects.filter(workspace=ws),
    "TIMESHEET": Timesheet.objects.filter(engagement__workspace=ws),
    "TIME_ENTRY": TimeEntry.objects.filter(timesheet__engagement__workspace=ws),
    "AGREEMENT": Agreement.objects.filter(engagement__workspace=ws),
    "AGREEMENT_TEMPLATE": AgreementTemplate.objects.filter(workspace=ws),
    "WEBHOOK_ENDPOINT": WebhookEndpoint.objects.filter(workspace=ws),
}
for kind, qs in rows.items():
    print(f"export FUZZ_{kind}={qs.order_by('pk').values_list('pk', flat=True).first() or 987654321}")
