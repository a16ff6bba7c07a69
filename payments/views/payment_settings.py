"""The workspace's payment settings (the review window): shown to everyone, changed by the owner."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import workspace_required

from ..forms import (
    PaymentSettingsForm,
)
from ..models import PaymentSettings
from ._helpers import is_owner


@workspace_required
def payment_settings(request):
    current, _ = PaymentSettings.objects.get_or_create(workspace=request.workspace)
    form = PaymentSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not is_owner(request):
            messages.error(request, "Only the workspace owner can change payment settings.")
            return redirect("payments:settings")
        if form.is_valid():
            settings = form.save(commit=False)
            settings.updated_by = request.user
            settings.updated_at = timezone.now()
            settings.save()
            messages.success(request, f"Review window set to {settings.review_window_days} days. It applies to "
                                      "work submitted from now on.")
            return redirect("payments:settings")
    return render(request, "payments/settings.html", {"form": form, "is_owner": is_owner(request),
                                                      "settings": current})
