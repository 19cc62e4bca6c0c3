"""Addresses of the support screens, under /support/."""

from django.urls import path

from spona.front.support.views import knowledge, reports, tickets

app_name = "support"

urlpatterns = [
    path("tickets/", tickets.ticket_list, name="ticket_list"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/status/", tickets.ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/assign/", tickets.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/time/", tickets.ticket_time, name="ticket_time"),
    path("tickets/<int:pk>/link/", tickets.ticket_link, name="ticket_link"),
    path("tickets/<int:pk>/viewers/", tickets.ticket_viewers, name="ticket_viewers"),
    path("attachments/<int:pk>/", tickets.attachment_download, name="attachment_download"),
    path("articles/", knowledge.article_list, name="article_list"),
    path("articles/new/", knowledge.article_create, name="article_create"),
    path("articles/<int:pk>/", knowledge.article_detail, name="article_detail"),
    path("articles/<int:pk>/edit/", knowledge.article_edit, name="article_edit"),
    path("reports/", reports.reports, name="reports"),
    path("reports/export.csv", reports.reports_csv, name="reports_csv"),
]
