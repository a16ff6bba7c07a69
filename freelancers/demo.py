"""Demo talent pool for `manage.py demo`: freelancers at every stage of vetting, with
references (draft, requested, received, declined, expired), interviews (upcoming and scored),
samples, testimonials, a rate change and decisions. Idempotent: a freelancer whose email is
already in the workspace is left as it is."""

import zoneinfo
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Freelancer, FreelancerStatus, Interview, RateChange, Reference, ReferenceStatus, Testimonial
from .services import freelancer as freelancer_actions
from .services import interview as interview_actions
from .services import portfolio as portfolio_actions
from .services import reference as reference_actions
from .services import vetting as vetting_actions


def _received(freelancer, name, email, relationship, company, ratings, rehire, note, days_ago):
    q, r, c, d = ratings
    now = timezone.now()
    return Reference.objects.create(
        freelancer=freelancer, name=name, email=email, relationship=relationship, company=company,
        status=ReferenceStatus.RECEIVED, requested_at=now - timedelta(days=days_ago + 3),
        expires_at=now + timedelta(days=11 - days_ago), answered_at=now - timedelta(days=days_ago),
        quality=q, reliability=r, communication=c, deadlines=d, would_rehire=rehire, what_to_know=note,
    )


def _at_local_hour(owner, days_from_now, hour):
    """A round time in the owner's zone, `days_from_now` days away."""
    local = timezone.now().astimezone(zoneinfo.ZoneInfo(owner.timezone)) + timedelta(days=days_from_now)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _past_interview(freelancer, owner, days_ago, kind, scores, flags, notes, outcome):
    interview = Interview.objects.create(
        freelancer=freelancer, kind=kind, scheduled_at=_at_local_hour(owner, -days_ago, 15),
        duration_minutes=15 if kind == "intro" else 45, meeting_url="https://meet.example.com/demo",
        organizer_timezone=owner.timezone, interviewer=owner,
    )
    criteria = [c.name for c in interview_actions.criteria_for(freelancer.workspace)]
    interview_actions.interview_score(interview=interview, actor=owner,
                                      scores=dict(zip(criteria, scores, strict=False)),
                                      red_flags=flags, notes=notes, outcome=outcome)
    return interview


def _to_vetting(freelancer, owner):
    freelancer_actions.freelancer_move(freelancer=freelancer, to_status=FreelancerStatus.VETTING, actor=owner,
                                       reason="Portfolio looked promising")


PEOPLE = [
    dict(name="Amara Okafor", email="amara.okafor@demo.example", headline="Brand identity designer",
         skills="logo design, brand identity, figma", timezone_name="Africa/Lagos", country="NG", rate_amount=4000,
         rate_unit="hour", notes="Found through a Dribbble shot of a bakery brand."),
    dict(name="Mateo Silva", email="mateo.silva@demo.example", headline="Full-stack web developer (Django, React)",
         skills="django, react, postgresql", timezone_name="America/Sao_Paulo", country="BR", rate_amount=5500,
         rate_unit="hour", links=["https://github.com/example"]),
    dict(name="Priya Raman", email="priya.raman@demo.example", headline="Conversion copywriter",
         skills="copywriting, landing pages, email", timezone_name="Asia/Kolkata", country="IN", rate_amount=30000,
         rate_unit="day"),
    dict(name="Jonas Berg", email="jonas.berg@demo.example", headline="Video editor and motion designer",
         skills="video editing, after effects, motion", timezone_name="Europe/Stockholm", country="SE",
         rate_amount=6000, rate_unit="hour"),
    dict(name="Lucía Fernández", email="lucia.fernandez@demo.example", headline="Children's book illustrator",
         skills="illustration, procreate", timezone_name="Europe/Madrid", country="ES", rate_amount=250000,
         rate_unit="project"),
    dict(name="Kai Nakamura", email="kai.nakamura@demo.example", headline="Mobile app developer",
         skills="flutter, ios, android", timezone_name="Asia/Tokyo", country="JP", rate_amount=7000, rate_unit="hour"),
    dict(name="Sam Doyle", email="sam.doyle@demo.example", headline="SEO consultant",
         skills="seo, content strategy", timezone_name="Europe/Dublin", country="IE", rate_amount=320000,
         rate_unit="month"),
]


def _mateo(f, owner, now):
    # In vetting: one reference answered, one asked (a real emailed link), one not yet asked,
    # and an intro call on the calendar.
    _to_vetting(f, owner)
    _received(f, "Hannah Cole", "hannah.cole@demo.example", "Former client", "Cole & Co", (5, 4, 5, 4), True,
              "Shipped our booking site two days early. Ask him to write tests.", 2)
    asked = Reference.objects.create(freelancer=f, name="Omar Haddad", email="omar.haddad@demo.example",
                                     relationship="Agency lead", company="Pixel Yard")
    reference_actions.reference_request(reference=asked, actor=owner)
    Reference.objects.create(freelancer=f, name="Lena Vogt", email="lena.vogt@demo.example",
                             relationship="Former colleague")
    interview_actions.interview_schedule(
        freelancer=f, actor=owner, scheduled_at=_at_local_hour(owner, 2, 16),
        kind="intro", meeting_url="https://meet.example.com/mateo", organizer_timezone=owner.timezone,
    )
    portfolio_actions.sample_add(freelancer=f, actor=owner, title="Booking site for a yoga studio",
                                 url="https://example.com/yoga", description="Django + HTMX, 6 weeks.")


def _priya(f, owner, now):
    # In vetting with a red flag: ready for a decision that needs confirmation.
    _to_vetting(f, owner)
    _received(f, "Tom Becker", "tom.becker@demo.example", "Former client", "Becker Outdoor", (4, 3, 4, 3), True,
              "Great writer, needed chasing on the second draft.", 5)
    _received(f, "Aisha Khan", "aisha.khan@demo.example", "Marketing manager", "Nimbus", (5, 4, 4, 4), True,
              "", 4)
    Reference.objects.create(
        freelancer=f, name="Rob Lee", email="rob.lee@demo.example", relationship="Former client",
        status=ReferenceStatus.EXPIRED, requested_at=now - timedelta(days=20), expires_at=now - timedelta(days=6),
        reminders_sent=2,
    )
    _past_interview(f, owner, 3, "intro", [4, 5, 4, 2, 4], ["timeline"],
                    "Hesitated when asked about the two-week deadline; said 'probably'.", "hold")
    Testimonial.objects.create(freelancer=f, quote="Our sign-ups went up 30% after Priya rewrote the page.",
                               author="Aisha Khan", source="LinkedIn recommendation",
                               verified_by=f.references.filter(name="Aisha Khan").first())


def _jonas(f, owner, now):
    # Approved after two references and a good interview; his rate went up since.
    _to_vetting(f, owner)
    _received(f, "Maja Lind", "maja.lind@demo.example", "Producer", "Nordlys Film", (5, 5, 4, 5), True,
              "Calm under pressure. Delivers exactly what was agreed.", 30)
    _received(f, "Erik Sand", "erik.sand@demo.example", "Former client", "Sand Coffee", (4, 5, 5, 4), True, "", 28)
    _past_interview(f, owner, 25, "project_fit", [5, 5, 4, 5, 5], [],
                    "Asked sharp questions about the edit schedule.", "advance")
    vetting_actions.freelancer_decide(freelancer=f, actor=owner, decision="approved",
                                      reason="Two strong references and a clear plan for the timeline.")
    # His first rate was set when he was added, weeks before the raise (the history reads as two
    # periods, not two rates starting the same day).
    RateChange.objects.filter(freelancer=f).update(changed_at=now - timedelta(days=40))
    freelancer_actions.freelancer_update(freelancer=f, actor=owner, rate_amount=6500)
    portfolio_actions.sample_add(freelancer=f, actor=owner, title="Showreel 2026",
                                 url="https://example.com/showreel")


def _lucia(f, owner, now):
    _to_vetting(f, owner)
    _received(f, "Clara Ruiz", "clara.ruiz@demo.example", "Editor", "Libros Luna", (5, 4, 5, 5), True, "", 40)
    _received(f, "Diego Mora", "diego.mora@demo.example", "Art director", "Mora Studio", (4, 4, 4, 5), True,
              "", 38)
    _past_interview(f, owner, 35, "intro", [5, 4, 5, 4, 5], [], "Lovely portfolio.", "advance")
    vetting_actions.freelancer_decide(freelancer=f, actor=owner, decision="approved",
                                      reason="On the bench as a backup illustrator.")


def _kai(f, owner, now):
    _to_vetting(f, owner)
    Reference.objects.create(freelancer=f, name="Yuki Sato", email="yuki.sato@demo.example",
                             relationship="Former client", status=ReferenceStatus.DECLINED,
                             requested_at=now - timedelta(days=9), expires_at=now + timedelta(days=5),
                             answered_at=now - timedelta(days=8), decline_reason="We only worked together briefly.")
    _past_interview(f, owner, 7, "technical", [3, 4, 2, 3, 3], ["who_does_work", "price_moved"],
                    "Mentioned 'my team' several times; quote doubled after we agreed scope.", "reject")
    vetting_actions.freelancer_decide(freelancer=f, actor=owner, decision="rejected",
                                      reason="Unclear who would do the work, and the price moved after agreement.")


def _sam(f, owner, now):
    freelancer_actions.freelancer_mark_do_not_hire(
        freelancer=f, actor=owner, reason="Took a deposit on another project and disappeared for a month.")


# Each person's story, in the order they are told: what has happened to them so far.
STORIES = {
    "Mateo Silva": _mateo,
    "Priya Raman": _priya,
    "Jonas Berg": _jonas,
    "Lucía Fernández": _lucia,
    "Kai Nakamura": _kai,
    "Sam Doyle": _sam,
}


@transaction.atomic
def load(workspace, owner):
    existing = set(Freelancer.objects.filter(workspace=workspace).values_list("email", flat=True))
    made = {}
    for person in PEOPLE:
        if person["email"] in existing:
            continue
        made[person["name"]] = freelancer_actions.freelancer_create(workspace=workspace, actor=owner,
                                                                    currency=workspace.currency, **person)
    now = timezone.now()
    for name, story in STORIES.items():
        if name in made:
            story(made[name], owner, now)
