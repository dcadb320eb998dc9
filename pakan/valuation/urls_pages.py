"""Placeholder until its part is written."""

urlpatterns: list = []
