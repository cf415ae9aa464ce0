from django.urls import path

from communication import views

app_name = "communication"

urlpatterns = [
    path("", views.index, name="index"),
    path("projects/<slug:slug>/templates/", views.template_list, name="templates"),
    path("projects/<slug:slug>/templates/<str:key>/<str:language>/", views.template_edit, name="template"),
    path("templates/<int:pk>/approve/", views.template_approve, name="template-approve"),
    path("projects/<slug:slug>/campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/status/", views.campaign_status, name="campaign-status"),
    path("campaigns/<int:pk>/send/", views.campaign_send, name="campaign-send"),
    path("campaigns/<int:pk>/cancel/", views.campaign_cancel, name="campaign-cancel"),
    path("campaigns/<int:pk>/retry/", views.campaign_retry, name="campaign-retry"),
    path("letters/<int:pk>/", views.letter_batch, name="letters"),
    path("projects/<slug:slug>/requests/new/", views.request_create, name="request-create"),
    path("requests/ask/", views.request_ask, name="ask"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("projects/<slug:slug>/settings/", views.settings_edit, name="settings"),
    path("people/<int:pk>/", views.person_history, name="person"),
    path("sms/status/", views.sms_status, name="sms-status"),
    # The e-mail provider's delivery events (Postmark's; another provider's anymail view mounts the same way).
    path("email/postmark/tracking/", views.postmark_tracking, name="postmark-tracking"),
]
