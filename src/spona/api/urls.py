from django.urls import path

from spona.api.main import api

urlpatterns = [path("v1/", api.urls)]
