class TransitionError(Exception):
    """An action the freelancer's or reference's current state does not allow (the API
    answers 409 with this message)."""
