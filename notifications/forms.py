import time

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .links import absolute
from .services import notify

RESET_EMAIL_WINDOW_SECONDS = 5 * 60


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset emails go through the notification outbox like every other email."""

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        for user in self.get_users(email):
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            url = absolute(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
            notify(
                kind="password_reset", recipient_email=user.email, recipient_user=user,
                # One email per account per window: pressing the button ten times (or someone
                # else doing it to flood an inbox) sends one; the first link keeps working.
                dedupe_key=f"password-reset:{user.pk}:{int(time.time() // RESET_EMAIL_WINDOW_SECONDS)}",
                context={"reset_url": url, "_secret": ["reset_url"]},
            )
