"""Addresses of the CRM screens, under /crm/."""

from django.urls import path

from spona.front.crm.views import activities, dashboard, leads, pipeline, teams

app_name = "crm"

urlpatterns = [
    # Leads
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/new/", leads.lead_create, name="lead_create"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/status/", leads.lead_status, name="lead_status"),
    path("leads/<int:pk>/rescore/", leads.lead_rescore, name="lead_rescore"),
    path("leads/<int:pk>/qualify/", leads.lead_qualify, name="lead_qualify"),
    # Pipeline and opportunities
    path("pipeline/", pipeline.board, name="board"),
    path("pipeline/move/", pipeline.board_move, name="board_move"),
    path("opportunities/", pipeline.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", pipeline.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", pipeline.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", pipeline.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", pipeline.opportunity_move, name="opportunity_move"),
    path("opportunities/<int:pk>/win/", pipeline.opportunity_win, name="opportunity_win"),
    path("opportunities/<int:pk>/lose/", pipeline.opportunity_lose, name="opportunity_lose"),
    path("forecast/", pipeline.forecast, name="forecast"),
    # Activities
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/done/", activities.activity_done, name="activity_done"),
    path("my-day/", activities.my_day, name="my_day"),
    path("my-day/calendar.ics", activities.activity_calendar, name="activity_calendar"),
    # Dashboard and targets
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("targets/", dashboard.target_list, name="target_list"),
    path("targets/<int:pk>/delete/", dashboard.target_delete, name="target_delete"),
    # Teams and assignment rules
    path("teams/", teams.team_list, name="team_list"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:pk>/edit/", teams.team_edit, name="team_edit"),
    path("rules/new/", teams.rule_create, name="rule_create"),
    path("rules/<int:pk>/delete/", teams.rule_delete, name="rule_delete"),
]
