"""Pakan: integrated social protection information system for Lao PDR."""

from pakan.celery import app as celery_app

__all__ = ["celery_app"]
