from django.urls import path

from spona.web.views import admin, auth, language, parties, search, shell, twofactor

app_name = "web"

urlpatterns = [
    path("", shell.home, name="home"),
    path("company/switch/", shell.switch_company, name="switch_company"),
    path("language/", language.set_language, name="set_language"),
    path("search/", search.search_page, name="search"),
    path("search/palette/", search.search_palette, name="search_palette"),
    # Authentication
    path("login/", auth.login, name="login"),
    path("login/code/", auth.login_code, name="login_code"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth.password_reset, name="password_reset"),
    path("password/reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("password/change/", auth.password_change, name="password_change"),
    path("password/change/done/", auth.password_change_done, name="password_change_done"),
    path("account/two-factor/", twofactor.two_factor, name="two_factor"),
    # Parties
    path("parties/", parties.party_list, name="party_list"),
    path("parties/search.json", parties.party_search, name="party_search"),
    path("parties/new/", parties.party_create, name="party_create"),
    path("parties/<int:pk>/", parties.party_detail, name="party_detail"),
    path("parties/<int:pk>/edit/", parties.party_edit, name="party_edit"),
    path("parties/<int:pk>/timeline/", parties.party_timeline, name="party_timeline"),
    path("parties/<int:pk>/link/", parties.party_link, name="party_link"),
    path("parties/<int:pk>/links/<int:relationship_id>/delete/", parties.party_unlink, name="party_unlink"),
    path("parties/<int:pk>/merge/", parties.party_merge, name="party_merge"),
    # Administration
    path("admin/users/", admin.user_list, name="user_list"),
    path("admin/users/invite/", admin.user_invite, name="user_invite"),
    path("admin/users/<int:pk>/roles/", admin.user_roles, name="user_roles"),
    path("admin/users/<int:pk>/active/", admin.user_set_active, name="user_set_active"),
    path("admin/company/", admin.company_settings, name="company_settings"),
    path("admin/audit/", admin.audit_log, name="audit_log"),
    path("admin/outbox/", admin.outbox, name="outbox"),
    path("admin/outbox/replay/", admin.outbox_replay, name="outbox_replay"),
]
