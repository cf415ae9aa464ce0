from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:list", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/<slug:slug>/sample/", include("surveys.sampling.urls")),
    path("projects/", include("projects.urls")),
    path("surveys/", include("surveys.urls")),
    path("plans/", include("surveys.plans.urls")),
    path("planning/", include("surveys.planning.urls")),
    path("api/v1/surveys/", include("surveys.api_urls")),
    path("api/v1/plans/", include("surveys.plans.api_urls")),
    path("api/v1/slots/", include("surveys.planning.api_urls")),
    path("api/v1/", include("projects.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
