"""Stripe's webhooks in, mounted at /webhooks/stripe/ (outsourcing/urls.py), outside /api/v1/:
they carry Stripe's signature, not a token (payments/views/stripe_webhooks.py)."""

from django.urls import path

from .views.stripe_webhooks import stripe_connect_events, stripe_events

app_name = "stripe_webhooks"

urlpatterns = [
    path("", stripe_events, name="platform"),
    path("connect/", stripe_connect_events, name="connect"),
]
