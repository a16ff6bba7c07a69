"""The errors this app's actions raise for a state that does not allow them; the pages and the
API turn each into a message the person can act on."""


class TransitionError(Exception):
    """An action the freelancer's or reference's current state does not allow (the API
    answers 409 with this message)."""


class RefereeLinkError(Exception):
    """Why a questionnaire link cannot be used; `code` picks the page the referee sees."""

    titles = {
        "invalid": "This link is not valid",
        "used": "This questionnaire was already answered",
        "declined": "You declined this request",
        "expired": "This link has expired",
    }
    messages = {
        "invalid": "Check that you copied the whole link from the email. If you received a newer email "
                   "about this reference, use the link in that one.",
        "used": "Thank you: your answers were recorded and the link cannot be used again.",
        "declined": "You already told us you would rather not give a reference. Nothing more is needed.",
        "expired": "Questionnaire links work for 14 days. If you would still like to answer, ask the person "
                   "who contacted you for a new link.",
    }

    def __init__(self, code):
        self.code = code
        self.title = self.titles[code]
        super().__init__(self.messages[code])
