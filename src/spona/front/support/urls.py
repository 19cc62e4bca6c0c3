"""Addresses of the support screens, under /support/."""

from django.urls import path

from spona.front.support.views import chat, handovers, knowledge, reports, tickets

app_name = "support"

urlpatterns = [
    path("tickets/", tickets.ticket_list, name="ticket_list"),
    path("tickets/next/", tickets.ticket_next, name="ticket_next"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/status/", tickets.ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/assign/", tickets.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/time/", tickets.ticket_time, name="ticket_time"),
    path("tickets/<int:pk>/link/", tickets.ticket_link, name="ticket_link"),
    path("tickets/<int:pk>/viewers/", tickets.ticket_viewers, name="ticket_viewers"),
    path("tickets/<int:pk>/split/", handovers.ticket_split, name="ticket_split"),
    path("tickets/<int:pk>/credit-note/", handovers.ticket_credit_note, name="ticket_credit_note"),
    path("tickets/<int:pk>/return/", handovers.ticket_return, name="ticket_return"),
    path("returns/", handovers.return_request_list, name="return_request_list"),
    path("returns/<int:pk>/open/", handovers.return_request_open, name="return_request_open"),
    path("attachments/<int:pk>/", tickets.attachment_download, name="attachment_download"),
    path("chats/", chat.chat_list, name="chat_list"),
    path("chats/<int:pk>/", chat.chat_detail, name="chat_detail"),
    path("chats/<int:pk>/ticket/", chat.chat_ticket, name="chat_ticket"),
    path("chats/<int:pk>/end/", chat.chat_end, name="chat_end"),
    path("articles/", knowledge.article_list, name="article_list"),
    path("articles/new/", knowledge.article_create, name="article_create"),
    path("articles/<int:pk>/", knowledge.article_detail, name="article_detail"),
    path("articles/<int:pk>/edit/", knowledge.article_edit, name="article_edit"),
    path("reports/", reports.reports, name="reports"),
    path("reports/export.csv", reports.reports_csv, name="reports_csv"),
]
