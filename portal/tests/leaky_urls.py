"""A URL configuration with one deliberately leaky page, to prove the access matrix notices."""

from django.http import HttpResponse
from django.urls import path

from engagements.models import Engagement
from outsourcing.urls import urlpatterns as project_patterns


def leaky(request, pk):
    """Shows any engagement to anyone, and renames it on POST: everything the matrix forbids."""
    engagement = Engagement.objects.get(pk=pk)
    if request.method == "POST":
        Engagement.objects.filter(pk=pk).update(title=engagement.title + " (renamed)")
    return HttpResponse(engagement.title)


urlpatterns = [path("leak/<int:pk>/", leaky, name="leak"), *project_patterns]
