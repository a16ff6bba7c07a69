"""An owner at work, as a web process would see it: run in a process of its own (with the
broker it is given) by `python manage.py shell -c "from outsourcing.tests.traffic import main; main()"`.

Each round creates a freelancer and emails them a portal invitation through the REST API, and
invites a teammate through the service the team page calls: two emails per round. It runs for
TRAFFIC_SECONDS, asserts that every request was answered (the broker being down is no reason to
fail one), and prints the addresses it emailed as JSON on its last line.
"""

import json
import os
import time

from django.test import Client

from accounts.models import InvitationRole, User, Workspace
from notifications.services import invitation_send


def one_round(client, *, workspace, owner, prefix, number):
    freelancer_email = f"{prefix}-api-{number}@example.net"
    created = client.post("/api/v1/freelancers/", {"name": f"Freelancer {number}", "email": freelancer_email},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    invited = client.post("/api/v1/invitations/", {"freelancer": created.json()["id"]},
                          content_type="application/json")
    assert invited.status_code == 201, invited.content
    teammate_email = f"{prefix}-team-{number}@example.net"
    invitation_send(workspace=workspace, email=teammate_email, role=InvitationRole.MANAGER, invited_by=owner,
                    accept_url_name="invitation_open", kind="teammate_invitation")
    return [freelancer_email, teammate_email]


def main():
    seconds = float(os.environ["TRAFFIC_SECONDS"])
    prefix = os.environ["TRAFFIC_PREFIX"]
    workspace = Workspace.objects.get(pk=os.environ["TRAFFIC_WORKSPACE"])
    owner = User.objects.get(pk=os.environ["TRAFFIC_OWNER"])
    client = Client(HTTP_AUTHORIZATION=f"Token {os.environ['TRAFFIC_TOKEN']}")
    emailed, number = [], 0
    deadline = time.monotonic() + seconds
    while True:
        emailed += one_round(client, workspace=workspace, owner=owner, prefix=prefix, number=number)
        number += 1
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    print(json.dumps({"emailed": emailed}))
