"""Demo engagements for `manage.py demo`: one in each state (draft, offered, active, paused,
completed), some with overdue status updates, a change order, Q&A, check-ins, a playbook,
access grants with a reveal log and a secret to rotate, and an end review.

Everything goes through the services; the demo then moves the moments it created into the past
(and replays the update deadlines from those moments), so the history reads like a real one.
Milestones stay unfunded: funding, releasing and submitting work need money, which the payments
demo adds. Idempotent: an engagement whose title already exists in the workspace is skipped.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from freelancers.models import Freelancer, FreelancerStatus

from .models import (
    AccessGrant,
    AccessReveal,
    Activity,
    Brief,
    BriefQuestion,
    CheckIn,
    Engagement,
    EngagementStatus,
    PlaybookAcknowledgement,
    PlaybookDocument,
    StatusUpdate,
)
from .selectors import current_brief, playbook_current_version
from .services.access import access_grant_create, access_grant_reveal
from .services.agreement import agreement_issue
from .services.brief import brief_question_answer, brief_question_ask, brief_save
from .services.deadlines import engagement_deadlines_recompute, update_due_at
from .services.lifecycle import (
    brief_acknowledge,
    engagement_complete,
    engagement_create,
    engagement_offer,
    engagement_pause,
)
from .services.milestone import milestone_create
from .services.playbook import playbook_attach, playbook_document_create
from .services.reporting import checkin_schedule, status_update_post
from .services.review import review_save

FREELANCERS = {
    "jonas": dict(email="jonas.berg@demo.example", name="Jonas Berg", headline="Video editor and motion designer",
                  timezone="Europe/Stockholm", country="SE", status=FreelancerStatus.APPROVED),
    "lucia": dict(email="lucia.fernandez@demo.example", name="Lucía Fernández", headline="Children's book illustrator",
                  timezone="Europe/Madrid", country="ES", status=FreelancerStatus.APPROVED),
    "mateo": dict(email="mateo.silva@demo.example", name="Mateo Silva",
                  headline="Full-stack web developer (Django, React)", timezone="America/Sao_Paulo", country="BR",
                  status=FreelancerStatus.VETTING),
    "priya": dict(email="priya.raman@demo.example", name="Priya Raman", headline="Conversion copywriter",
                  timezone="Asia/Kolkata", country="IN", status=FreelancerStatus.VETTING),
    "amara": dict(email="amara.okafor@demo.example", name="Amara Okafor", headline="Brand identity designer",
                  timezone="Africa/Lagos", country="NG", status=FreelancerStatus.PROSPECT),
    "nina": dict(email="nina.petrova@demo.example", name="Nina Petrova", headline="Social media video editor",
                 timezone="Europe/Sofia", country="BG", status=FreelancerStatus.APPROVED),
}


def _freelancer(workspace, key):
    data = dict(FREELANCERS[key])
    email = data.pop("email")
    freelancer, _ = Freelancer.objects.get_or_create(
        workspace=workspace, email=email, defaults={**data, "currency": workspace.currency})
    return freelancer


class _Clock:
    """Run an action 'at' a past moment: the activity lines it wrote are moved there."""

    def __init__(self):
        self.mark = Activity.objects.aggregate(m=Max("pk"))["m"] or 0

    def at(self, moment, result=None):
        Activity.objects.filter(pk__gt=self.mark).update(created_at=moment)
        self.mark = Activity.objects.aggregate(m=Max("pk"))["m"] or 0
        return result


def _replay_updates(engagement):
    """Mark each (backdated) update on time or late against the deadline of its moment, then
    recompute the engagement's deadlines from the rows."""
    engagement.refresh_from_db()
    anchor = engagement.activated_at
    for update in StatusUpdate.objects.filter(engagement=engagement).order_by("created_at"):
        due = update_due_at(anchor, engagement)
        late = update.created_at > due
        StatusUpdate.objects.filter(pk=update.pk).update(due_at=due, late=late)
        if late:
            Activity.objects.filter(engagement=engagement, kind="status_update", created_at=update.created_at).update(
                summary=f"Status update: {update.percent_complete}% complete (late)"
                + (" — blockers reported." if update.blockers else "."))
        anchor = update.created_at
    engagement_deadlines_recompute(engagement=engagement)


def _start(engagement, owner, clock, offered, acknowledged):
    engagement_offer(engagement=engagement, actor=owner)
    clock.at(offered)
    brief = current_brief(engagement)
    brief_acknowledge(brief_id=brief.pk, freelancer=engagement.freelancer)
    clock.at(acknowledged)
    Brief.objects.filter(pk=brief.pk).update(sent_at=offered, acknowledged_at=acknowledged, created_at=offered)
    Engagement.objects.filter(pk=engagement.pk).update(offered_at=offered, activated_at=acknowledged)


def _update(engagement, moment, clock, **fields):
    update = status_update_post(engagement_id=engagement.pk, freelancer=engagement.freelancer, **fields)
    StatusUpdate.objects.filter(pk=update.pk).update(created_at=moment)
    clock.at(moment)


def _playbook(workspace, owner):
    docs = {}
    for title, kind, body in [
        ("How we work", "how_we_work",
         "## How we work\n\n- Ask questions early: there are no silly ones.\n- One status update every few days, "
         "even when there is little to say.\n- We review submitted work within **two working days**.\n"
         "- Files go in the shared folder named in the brief; nothing on personal drives."),
        ("Weekly report format", "reporting",
         "## Status updates\n\n1. **Done**: what you finished, with links.\n2. **Next**: what you will do "
         "before the next update.\n3. **Blockers**: anything you need from us, as early as possible."),
    ]:
        doc = PlaybookDocument.objects.filter(workspace=workspace, title=title).first()
        docs[title] = doc or playbook_document_create(workspace=workspace, actor=owner, title=title,
                                                      kind=kind, body=body)
    return docs


def _active_video(workspace, owner, now, docs):
    """Active for two weeks, a change order acknowledged, updates that stopped: overdue."""
    jonas, lucia = _freelancer(workspace, "jonas"), _freelancer(workspace, "lucia")
    nina = _freelancer(workspace, "nina")
    today = timezone.localdate()
    clock = _Clock()
    engagement = engagement_create(
        workspace=workspace, created_by=owner, freelancer=jonas, title="Product launch video",
        kind="project", budget=480000, contingency_percent=15, starts_on=today - timedelta(days=13),
        target_end_on=today + timedelta(days=21), update_every_days=3, update_grace_hours=12, checkin_every_days=7,
        backups=[b for b in (lucia, nina) if b.status == FreelancerStatus.APPROVED],
    )
    Engagement.objects.filter(pk=engagement.pk).update(created_at=now - timedelta(days=15))
    clock.at(now - timedelta(days=15))
    _video_plan(engagement, owner, clock, now, today, docs)
    _video_brief_talk(engagement, owner, clock, now, jonas)
    _video_reporting(engagement, owner, clock, now)
    _video_access(engagement, owner, clock, now, jonas)
    _replay_updates(engagement)


def _video_plan(engagement, owner, clock, now, today, docs):
    """The brief, the milestones and the playbook, then the offer and its acknowledgement."""
    brief_save(
        engagement=engagement, actor=owner,
        goal="A 60-second launch video for our new **oat-milk barista blend**, for Instagram and the website.",
        deliverables="- 60 s master (16:9, 4K)\n- 30 s and 15 s cut-downs (9:16)\n- Subtitled versions (EN, SE)",
        acceptance_criteria="- Brand colours and fonts from the style guide\n- Music licensed for social use\n"
                            "- Subtitles burned in and as .srt",
        out_of_scope="Shooting new footage; we supply all clips.",
        timeline="Rough cut in week 2, final in week 4.",
        communication_plan="Updates every 3 days in the portal; a weekly 20-minute call on Tuesdays.",
    )
    clock.at(now - timedelta(days=15))
    for title, days, amount in [("Rough cut", -2, 160000), ("Final master", 12, 200000), ("Cut-downs", 19, 120000)]:
        milestone_create(engagement=engagement, actor=owner, title=title, amount=amount,
                         acceptance_criteria="Matches the brief's acceptance criteria.",
                         due_on=today + timedelta(days=days))
    clock.at(now - timedelta(days=15))
    for doc in docs.values():
        playbook_attach(engagement=engagement, document=doc, actor=owner)
    clock.at(now - timedelta(days=14))
    _start(engagement, owner, clock, now - timedelta(days=14), now - timedelta(days=13, hours=20))
    PlaybookAcknowledgement.objects.get_or_create(version=playbook_current_version(docs["How we work"]),
                                                  freelancer=engagement.freelancer)


def _video_brief_talk(engagement, owner, clock, now, jonas):
    """A question answered, then a change order the freelancer acknowledged."""
    brief = current_brief(engagement)
    question = brief_question_ask(brief_id=brief.pk, freelancer=jonas, body="Can I use the 2025 logo "
                                  "animation, or is there a new one?")
    clock.at(now - timedelta(days=13))
    brief_question_answer(question=question, actor=owner, answer="Use the new one: it is in the shared "
                          "folder under `brand/2026`.")
    clock.at(now - timedelta(days=12, hours=22))
    BriefQuestion.objects.filter(pk=question.pk).update(asked_at=now - timedelta(days=13),
                                                        answered_at=now - timedelta(days=12, hours=22))
    v2, _ = brief_save(
        engagement=engagement, actor=owner,
        change_summary="Added a square 15 s cut-down for the website, due in week 5.",
        goal=brief.goal, acceptance_criteria=brief.acceptance_criteria,
        deliverables="- 60 s master (16:9, 4K)\n- 30 s and 15 s cut-downs (9:16)\n"
                     "- 15 s cut-down (1:1) for the website\n- Subtitled versions (EN, SE)",
        out_of_scope=brief.out_of_scope, timeline="Rough cut in week 2, final in week 4, cut-downs in week 5.",
        communication_plan=brief.communication_plan,
    )
    clock.at(now - timedelta(days=8))
    brief_acknowledge(brief_id=v2.pk, freelancer=jonas)
    clock.at(now - timedelta(days=7, hours=18))
    Brief.objects.filter(pk=v2.pk).update(created_at=now - timedelta(days=8), sent_at=now - timedelta(days=8),
                                          acknowledged_at=now - timedelta(days=7, hours=18))


def _video_reporting(engagement, owner, clock, now):
    """Three updates (the last with a blocker, then silence), a check-in held and one ahead."""
    _update(engagement, now - timedelta(days=11), clock, done="Watched all the clips; picked 40 shots.",
            next="Assemble a first timeline with temp music.", percent_complete=10, hours="4")
    _update(engagement, now - timedelta(days=6), clock, done="First timeline, 75 s.",
            next="Trim to 60 s, try two music options.", percent_complete=25, hours="6.5")
    _update(engagement, now - timedelta(days=5, hours=20), clock, done="Trimmed to 62 s; music option B licensed.",
            next="Colour pass, then the rough cut.", percent_complete=40,
            blockers="Still waiting for the 2026 logo animation file.")
    checkin = checkin_schedule(engagement=engagement, actor=owner, scheduled_at=now - timedelta(days=7),
                               agenda="Walk through the first timeline.", happened=True,
                               notes="Liked the pacing; asked for warmer colours.")
    CheckIn.objects.filter(pk=checkin.pk).update(recorded_at=now - timedelta(days=7))
    clock.at(now - timedelta(days=7))
    checkin_schedule(engagement=engagement, actor=owner,
                     scheduled_at=(now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0),
                     agenda="Review the rough cut together.", meeting_url="https://meet.example.com/launch")
    clock.at(now - timedelta(days=2))


def _video_access(engagement, owner, clock, now, jonas):
    """A shared account, revealed once by the freelancer."""
    grant = access_grant_create(engagement=engagement, actor=owner, label="Vimeo team account",
                                url="https://vimeo.com/log_in", username="studio@demo.example",
                                secret="demo-vimeo-Pa55word", notes="Upload drafts to the ‘Launch’ folder only.")
    clock.at(now - timedelta(days=13))
    access_grant_reveal(grant_id=grant.pk, freelancer=jonas, via="portal")
    AccessReveal.objects.filter(grant=grant).update(revealed_at=now - timedelta(days=12, hours=23))
    clock.at(now - timedelta(days=12, hours=23))


def _active_trial(workspace, owner, now):
    """A trial job for a freelancer in vetting: on time so far."""
    mateo = _freelancer(workspace, "mateo")
    today = timezone.localdate()
    clock = _Clock()
    engagement = engagement_create(
        workspace=workspace, created_by=owner, freelancer=mateo, title="Trial job: booking page prototype",
        kind="trial", budget=60000, starts_on=today - timedelta(days=3), target_end_on=today + timedelta(days=4),
        update_every_days=2, update_grace_hours=6,
    )
    Engagement.objects.filter(pk=engagement.pk).update(created_at=now - timedelta(days=4))
    clock.at(now - timedelta(days=4))
    brief_save(
        engagement=engagement, actor=owner, goal="See how we work together on a small, real piece.",
        deliverables="A clickable booking page (one service, pick a slot, confirm) in a public repository.",
        acceptance_criteria="- Works on mobile\n- Shows a clear error when the slot is taken\n- A README to run it",
        out_of_scope="Payments and emails.", timeline="One week.",
    )
    milestone_create(engagement=engagement, actor=owner, title="Booking page prototype", amount=60000,
                     acceptance_criteria="As in the brief.", due_on=today + timedelta(days=4))
    clock.at(now - timedelta(days=4))
    _start(engagement, owner, clock, now - timedelta(days=3, hours=6), now - timedelta(days=3, hours=2))
    _update(engagement, now - timedelta(hours=20), clock, done="Slot picker and confirmation screen.",
            next="Error states and the README.", percent_complete=60, hours="5")
    _replay_updates(engagement)


def _offered_copy(workspace, owner, now):
    priya = _freelancer(workspace, "priya")
    clock = _Clock()
    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=priya,
                                   title="Landing page copy", kind="project", budget=90000,
                                   update_every_days=2)
    Engagement.objects.filter(pk=engagement.pk).update(created_at=now - timedelta(days=2))
    brief_save(engagement=engagement, actor=owner, goal="Copy for the barista-blend landing page.",
               deliverables="Hero, three benefit blocks, FAQ (6 questions), meta description.",
               acceptance_criteria="Plain English, under 600 words, our tone-of-voice guide followed.")
    milestone_create(engagement=engagement, actor=owner, title="First draft", amount=45000,
                     acceptance_criteria="All sections drafted.")
    milestone_create(engagement=engagement, actor=owner, title="Final copy", amount=45000,
                     acceptance_criteria="Two rounds of edits included.")
    clock.at(now - timedelta(days=2))
    engagement_offer(engagement=engagement, actor=owner)
    clock.at(now - timedelta(days=1, hours=20))
    Engagement.objects.filter(pk=engagement.pk).update(offered_at=now - timedelta(days=1, hours=20))
    engagement.refresh_from_db()
    agreement_issue(engagement=engagement, actor=owner)  # waiting for both signatures


def _draft_brand(workspace, owner, now):
    amara = _freelancer(workspace, "amara")
    engagement = engagement_create(workspace=workspace, created_by=owner, freelancer=amara,
                                   title="Packaging refresh", kind="project", budget=250000)
    Engagement.objects.filter(pk=engagement.pk).update(created_at=now - timedelta(hours=3))
    brief_save(engagement=engagement, actor=owner, goal="Refresh the carton design for spring.",
               deliverables="Print-ready PDF for three carton sizes.",
               acceptance_criteria="Approved by our printer's pre-flight check.")


def _paused_retainer(workspace, owner, now):
    nina = _freelancer(workspace, "nina")
    if nina.status != FreelancerStatus.APPROVED:
        return
    clock = _Clock()
    engagement = engagement_create(
        workspace=workspace, created_by=owner, freelancer=nina, title="Social video retainer", kind="retainer",
        pay_terms="hourly", weekly_hour_cap=10, budget=320000, update_every_days=7, checkin_every_days=14,
    )
    Engagement.objects.filter(pk=engagement.pk).update(created_at=now - timedelta(days=40))
    clock.at(now - timedelta(days=40))
    brief_save(engagement=engagement, actor=owner, goal="Three short social videos a week.",
               deliverables="Edited 9:16 clips with captions.", acceptance_criteria="Posted-ready files.")
    clock.at(now - timedelta(days=40))
    _start(engagement, owner, clock, now - timedelta(days=39), now - timedelta(days=38))
    _update(engagement, now - timedelta(days=31), clock, done="Nine clips delivered.", next="Next week's batch.",
            percent_complete=30, hours="9.5")
    _replay_updates(engagement)
    engagement_pause(engagement=engagement, actor=owner, reason="Pausing over the holiday season.")
    clock.at(now - timedelta(days=25))


def _completed_illustration(workspace, owner, now):
    lucia = _freelancer(workspace, "lucia")
    clock = _Clock()
    engagement = engagement_create(
        workspace=workspace, created_by=owner, freelancer=lucia, title="Café mascot illustrations",
        kind="project", budget=150000,
    )
    Engagement.objects.filter(pk=engagement.pk).update(created_at=now - timedelta(days=60))
    clock.at(now - timedelta(days=60))
    brief_save(engagement=engagement, actor=owner, goal="A friendly mascot for the café's menus.",
               deliverables="Mascot in five poses, vector and PNG.", acceptance_criteria="Fits our palette.")
    milestone_create(engagement=engagement, actor=owner, title="Sketches", amount=50000,
                     acceptance_criteria="Three directions.")
    clock.at(now - timedelta(days=60))
    _start(engagement, owner, clock, now - timedelta(days=59, hours=20), now - timedelta(days=59, hours=2))
    for days, pct in ((56, 30), (53, 70), (49, 100)):
        _update(engagement, now - timedelta(days=days), clock, done="Poses drawn.", next="Colour.",
                percent_complete=pct)
    _replay_updates(engagement)
    access_grant_create(engagement=engagement, actor=owner, label="Brand assets Dropbox",
                        url="https://www.dropbox.com/home/brand", username="cafe@demo.example",
                        secret="demo-dropbox-secret", notes="Read-only folder.")
    clock.at(now - timedelta(days=59))
    engagement_complete(engagement=engagement, actor=owner, reason="All five poses delivered.")
    clock.at(now - timedelta(days=48))
    Engagement.objects.filter(pk=engagement.pk).update(ended_at=now - timedelta(days=48))
    AccessGrant.objects.filter(engagement=engagement).update(revoked_at=now - timedelta(days=48))
    review_save(engagement=engagement, actor=owner, went_well="Every update on time; lovely line work.",
                do_differently="Agree on the colour palette before the sketches.",
                private_notes="Rate was fair; would give her the spring campaign.", quality=5,
                communication=5, timeliness=4, rehire=True, source_files_delivered=True,
                licences_transferred=True, access_revoked=False)
    clock.at(now - timedelta(days=47))


@transaction.atomic
def load(workspace, owner):
    now = timezone.now().replace(second=0, microsecond=0)
    existing = set(Engagement.objects.filter(workspace=workspace).values_list("title", flat=True))
    docs = _playbook(workspace, owner)
    steps = [
        ("Café mascot illustrations", lambda: _completed_illustration(workspace, owner, now)),
        ("Product launch video", lambda: _active_video(workspace, owner, now, docs)),
        ("Trial job: booking page prototype", lambda: _active_trial(workspace, owner, now)),
        ("Landing page copy", lambda: _offered_copy(workspace, owner, now)),
        ("Packaging refresh", lambda: _draft_brand(workspace, owner, now)),
        ("Social video retainer", lambda: _paused_retainer(workspace, owner, now)),
    ]
    for title, step in steps:
        if title not in existing:
            step()
    return Engagement.objects.filter(workspace=workspace).exclude(status=EngagementStatus.DRAFT).count()
