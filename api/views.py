from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # token-authenticated API: an unknown path answers JSON 404, not the CSRF page
def not_found(request, *args, **kwargs):
    """JSON 404 for unknown paths under /api/v1/ (with a hint when a slash is missing)."""
    detail = "Not found."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and getattr(match.func, "__wrapped__", match.func) is not not_found.__wrapped__:
            detail = f"Not found. Did you mean {request.path}/ (with a trailing slash)?"
    return JsonResponse({"detail": detail}, status=404)
