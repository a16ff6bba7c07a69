"""Login throttling helpers for django-axes."""


def axes_username(request, credentials=None):
    """The key a lock-out is counted under: the email as the account stores it.

    Emails log in whatever their case, so `Owner@X.com` and `owner@x.com` must count against
    the same lock-out, or an attacker gets five more guesses per spelling.
    """
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") or data.get("email")
    if not isinstance(value, str):
        return value
    return value.strip().lower()
