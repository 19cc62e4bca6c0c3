"""Public pages of support (no login): the web form, satisfaction surveys, public knowledge base."""

from django.urls import path

from spona.front.support.views import public

app_name = "support_public"

urlpatterns = [
    path("survey/<str:token>/<slug:rating>/", public.csat, name="csat"),
    path("<slug:code>/", public.help_index, name="help_index"),
    path("<slug:code>/contact/", public.contact, name="contact"),
    path("<slug:code>/chat/", public.chat, name="chat"),
    path("<slug:code>/chat/end/", public.chat_end, name="chat_end"),
    path("<slug:code>/<slug:slug>/", public.help_article, name="help_article"),
    path("<slug:code>/<slug:slug>/feedback/", public.help_feedback, name="help_feedback"),
]
