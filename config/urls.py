from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:list", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Choosing a password: from the invitation a new person gets, or when it is forgotten.
    path(
        "password/forgotten/",
        auth_views.PasswordResetView.as_view(email_template_name="registration/password_reset_email.txt"),
        name="password_reset",
    ),
    path("password/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/choose/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/chosen/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organisation/people/", include("projects.people_urls")),
    path("account/tokens/", include("projects.token_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/<slug:slug>/sample/", include("surveys.sampling.urls")),
    path("projects/<slug:slug>/packages/", include("procurement.urls")),
    path("installations/", include("procurement.completion_urls")),
    path("tenders/", include("procurement.tender_urls")),
    path("agreements/", include("procurement.setup_urls")),
    path("communication/", include("communication.urls")),
    path("inbox/", include("portal.inbox_urls")),
    path("meetings/", include("portal.meeting_urls")),
    path("progress/", include("progress.urls")),
    path("", include("portal.urls")),
    path("projects/", include("projects.urls")),
    path("surveys/", include("surveys.urls")),
    path("plans/", include("surveys.plans.urls")),
    path("planning/", include("surveys.planning.urls")),
    path("api/v1/surveys/", include("surveys.api_urls")),
    path("api/v1/plans/", include("surveys.plans.api_urls")),
    path("api/v1/slots/", include("surveys.planning.api_urls")),
    path("api/v1/packages/", include("procurement.api_urls")),
    path("api/v1/installations/", include("procurement.completion_api_urls")),
    path("api/v1/delivery-sets/", include("procurement.register_api_urls")),
    path("api/v1/tenders/", include("procurement.tender_api_urls")),
    path("api/v1/progress/", include("progress.api_urls")),
    path("api/v1/", include("communication.api_urls")),
    path("api/v1/", include("projects.api_urls")),
    # The schema answers only a logged-in user (SERVE_PERMISSIONS); the docs page sends others to log in.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
