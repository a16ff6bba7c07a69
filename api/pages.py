"""The web page where a person sees and revokes their API tokens (linked from both profiles).

It lives in `api` because the tokens do; `accounts` and `portal` only link to it by URL name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .models import ApiToken

app_name = "api_tokens"


@login_required
def token_list(request):
    tokens = ApiToken.objects.filter(user=request.user).select_related("workspace", "freelancer")
    return render(request, "api/tokens.html", {"tokens": tokens.order_by("-created_at", "-id"), "now": timezone.now()})


@login_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token {token.prefix}… revoked; it no longer works.")
    return redirect("api_tokens:list")


urlpatterns = [
    path("", token_list, name="list"),
    path("<int:pk>/revoke/", token_revoke, name="revoke"),
]
