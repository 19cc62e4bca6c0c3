"""Addresses of the import and export screens, under /imports/."""

from django.urls import path

from spona.bridge.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/check/", views.job_check, name="job_check"),
    path("<int:pk>/commit/", views.job_commit, name="job_commit"),
    path("<int:pk>/progress/", views.job_progress, name="job_progress"),
]
