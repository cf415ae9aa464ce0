"""Celery tasks of this package."""
