"""The agreement templates' own tiny language: Markdown with `{{placeholder}}` from a fixed
allow-list, filled in one pass by plain string substitution.

The owner's text never reaches the Django template engine: `{% load %}`, `{{ settings.SECRET_KEY }}`
or a filter are not evaluated (an unknown `{{…}}` is refused by name when the template is saved,
a `{%…%}` is just text). Every filled-in value is escaped for Markdown and HTML, so a freelancer
called `<b>*Bob*</b>` reads as written; the result still goes through the one sanitiser
(engagements.markdown), which strips whatever HTML the owner typed into the template itself.
"""

import html
import re

from django.core.exceptions import ValidationError

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

PLACEHOLDERS = {
    "client_name": "the client: the workspace's name",
    "freelancer_name": "the freelancer's full name",
    "freelancer_email": "the freelancer's email address",
    "freelancer_country": "the freelancer's country",
    "engagement_title": "the engagement's title",
    "engagement_kind": "trial job, project or retainer",
    "start_date": "when the work starts (or “on signature”)",
    "target_end_date": "the target end date (or “not fixed”)",
    "brief_version": "the number of the current brief version",
    "pay_terms": "fixed-price milestones or hourly with a weekly cap",
    "pay_schedule": "the milestones with their amounts and due dates (a list), or the hourly cap",
    "budget": "the budget, with its currency",
    "currency": "the engagement's currency code",
    "subcontracting": "the subcontracting clause, from the engagement's setting",
    "self_billing": "the invoicing clause: self-billing by the client, or invoices from the freelancer",
    "notice_period": "the notice period, e.g. “14 days”",
    "governing_law": "the governing law, from the agreement settings",
    "agreement_version": "this agreement's version number",
    "issue_date": "the day this version was issued",
}
# How a page names what a placeholder stood for ("since v1: the pay schedule, the budget").
LABELS = {
    "client_name": "the client's name", "freelancer_name": "the freelancer's name",
    "freelancer_email": "the freelancer's email", "freelancer_country": "the freelancer's country",
    "engagement_title": "the title", "engagement_kind": "the kind of engagement", "start_date": "the start date",
    "target_end_date": "the target end date", "brief_version": "the brief's version", "pay_terms": "the pay terms",
    "pay_schedule": "the pay schedule", "budget": "the budget", "currency": "the currency",
    "subcontracting": "subcontracting",
    "self_billing": "invoicing", "notice_period": "the notice period", "governing_law": "the governing law",
    "agreement_version": "the version", "issue_date": "the issue date",
}
# Values that are already Markdown built by the app (their parts escaped one by one).
MARKDOWN_VALUES = {"pay_schedule"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def placeholder_names(body):
    return [match.strip() for match in PLACEHOLDER.findall(body or "")]


def validate_template(body):
    """Refuse, by name, any `{{…}}` that is not on the allow-list."""
    unknown = []
    for name in placeholder_names(body):
        if name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    if unknown:
        named = ", ".join("{{" + name[:60] + "}}" for name in unknown)
        raise ValidationError({"body": f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {named}. "
                                       f"Use only: {', '.join(PLACEHOLDERS)}."})


def escape(value):
    """Plain text → Markdown that shows exactly that text (and no HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


def fill(body, values):
    """The template with every placeholder replaced, in one pass (a value that contains `{{x}}` is
    not expanded again). Unknown names were refused when the template was saved; should one slip
    through, it is refused here too rather than left for anyone to evaluate."""
    validate_template(body)

    def replace(match):
        name = match.group(1).strip()
        value = values.get(name, "")
        return str(value) if name in MARKDOWN_VALUES else escape(value)

    return PLACEHOLDER.sub(replace, body)


DEFAULT_TEMPLATE_NAME = "Independent contractor agreement"
DEFAULT_TEMPLATE = """# Independent contractor agreement

**Version {{agreement_version}}, issued {{issue_date}}**

This agreement is between **{{client_name}}** (“the Client”) and **{{freelancer_name}}**
({{freelancer_email}}, {{freelancer_country}}) (“the Contractor”) for the engagement
**{{engagement_title}}** ({{engagement_kind}}).

## 1. Scope of work
The Contractor will deliver the work described in version {{brief_version}} of the brief for this
engagement, which is part of this agreement. A change of scope is a new version of the brief (a
change order), agreed by both parties in writing before the changed work starts. Work starts
{{start_date}}; the target end date is {{target_end_date}}.

## 2. Independent contractor
The Contractor is an independent contractor, not an employee, partner or agent of the Client. The
Contractor decides how the work is done, provides their own equipment and is responsible for
their own taxes, insurance and social contributions.

## 3. Payment
Pay terms: {{pay_terms}}. Budget: {{budget}}.

{{pay_schedule}}

{{self_billing}}

For fixed-price milestones the Client funds each milestone before work on it starts. The funds are
held until the Client accepts the milestone's work, then released to the Contractor. If the Client
neither accepts the work nor asks for changes within the review window, the funds are released.

## 4. Ownership of the work
All rights in the work delivered under this agreement pass to the Client when the Contractor has
been paid for it. Until then they remain with the Contractor. The Contractor keeps the rights in
their pre-existing tools and know-how and grants the Client a licence to use them as part of the
work. The Contractor confirms the work is their own and does not infringe anyone's rights.

## 5. Confidentiality
Each party keeps confidential the other's non-public information it receives under this agreement
(including credentials, customer data and business plans), uses it only for this engagement and
returns or destroys it when the engagement ends. This obligation survives the end of the
agreement.

## 6. Subcontracting
{{subcontracting}}

## 7. Termination
Either party may end this agreement by giving the other notice in writing of {{notice_period}}.
Either party may end it at once if the other seriously breaches it and does not remedy the breach within seven
days of being asked to.

## 8. Held funds on termination
When the agreement ends, work already accepted is paid in full. Funds held for a milestone the
Contractor has submitted are released unless the Client disputes the work within the review
window; a dispute is settled by splitting the held amount as the parties agree. Funds held for a
milestone on which no work was submitted are returned to the Client, less any amount the parties
agree for work in progress.

## 9. Governing law
This agreement is governed by {{governing_law}}.

## 10. Signatures
The parties sign this agreement electronically by typing their full names. Each signature
records the time, the network address and the browser used, and the SHA-256 fingerprint of this
exact document.
"""
