"""The resident portal at /r/<code>/ (the short path printed on letters), and its public pages."""

from django.urls import path

from portal import consent_views, installation_views, meeting_views, views

app_name = "portal"

urlpatterns = [
    path("r/", views.open_code, name="open"),
    path("r/<str:code>/", views.home, name="home"),
    path("r/<str:code>/visit/", views.visit, name="visit"),
    path("r/<str:code>/visit/cancel/", views.visit_cancel, name="visit-cancel"),
    path("r/<str:code>/visit.ics", views.visit_calendar, name="visit-calendar"),
    path("r/<str:code>/installation/", installation_views.choose, name="installation"),
    path("r/<str:code>/installation.ics", installation_views.calendar, name="installation-calendar"),
    path("r/<str:code>/plan/", views.plan, name="plan"),
    path("r/<str:code>/plan.pdf", views.plan_file, name="plan-file"),
    path("r/<str:code>/agreement/", consent_views.agreement, name="agreement"),
    path("r/<str:code>/agreement/code/", consent_views.agreement_code, name="agreement-code"),
    path("r/<str:code>/agreement/accept/", consent_views.agreement_accept, name="agreement-accept"),
    path("r/<str:code>/agreement.pdf", consent_views.agreement_file, name="agreement-file"),
    path("r/<str:code>/questions/", views.questions, name="questions"),
    path("r/<str:code>/aftercare/", views.aftercare, name="aftercare"),
    path("r/<str:code>/preferences/", views.preferences, name="preferences"),
    path("r/<str:code>/meetings/", meeting_views.meetings, name="meetings"),
    path("r/<str:code>/meetings/<int:pk>/reply/", meeting_views.meeting_reply, name="meeting-reply"),
    path("r/<str:code>/sounding-board/", meeting_views.sounding_board, name="sounding-board"),
    path("r/<str:code>/new-link/", views.renew, name="renew"),
    path("accessibility/", views.statement, name="accessibility"),
]
