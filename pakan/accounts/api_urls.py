"""Signing in to the API under /api/v1/."""

from django.urls import path

from pakan.accounts import api

app_name = "accounts-api"

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
]
