"""The one facade over background tasks (DESIGN §7).

Today it is the ``django-tasks`` backport with the database backend; moving to Django 6's
``django.tasks`` or to Celery touches this file only. Tasks are thin wrappers over services.
"""

from __future__ import annotations

from django_tasks import task

__all__ = ["task"]
