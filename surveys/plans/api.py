"""REST API of the connection plans: the same scope and services as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from projects.models import Dwelling
from projects.permissions import dwellings_visible_to
from surveys.models import ConnectionPlan
from surveys.plans import services
from surveys.plans.selectors import plan_get, plan_list


class ConnectionPlanSerializer(serializers.ModelSerializer):
    # Plain strings rather than enums: an enum named after a common field name ("status", "variant")
    # collides in the schema with another app's field of that name.
    variant = serializers.CharField(read_only=True, help_text="full or installer")
    variant_label = serializers.CharField(source="get_variant_display", read_only=True)
    made_by = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()

    class Meta:
        model = ConnectionPlan
        fields = [
            "id",
            "variant",
            "variant_label",
            "version",
            "survey_version",
            "size",
            "made_by",
            "created_at",
            "file",
        ]
        read_only_fields = fields

    def get_made_by(self, plan) -> str | None:
        return str(plan.made_by) if plan.made_by else None

    def get_file(self, plan) -> str:
        return reverse("plans_api:file", kwargs={"pk": plan.pk}, request=self.context.get("request"))


class RenderJobSerializer(serializers.Serializer):
    job = serializers.IntegerField(help_text="The job that makes the plans.")
    status = serializers.CharField(help_text="pending, running, done or failed")
    finished = serializers.BooleanField()
    plans = ConnectionPlanSerializer(many=True, help_text="The versions you may open, newest first.")


def _dwelling(request, pk) -> Dwelling:
    return get_object_or_404(dwellings_visible_to(request.user), pk=pk)


class DwellingPlanList(generics.ListAPIView):
    """The versions of a dwelling's connection plan that you may open, newest first. 404 for a dwelling
    that is not yours."""

    serializer_class = ConnectionPlanSerializer

    def get_queryset(self):
        return plan_list(user=self.request.user, dwelling=_dwelling(self.request, self.kwargs["pk"]))


class DwellingPlanRender(generics.GenericAPIView):
    serializer_class = RenderJobSerializer

    @extend_schema(
        request=None,
        responses={
            202: RenderJobSerializer,
            400: OpenApiResponse(description="The dwelling has not been surveyed yet."),
            403: OpenApiResponse(description="Your organisation does not make plans."),
            404: OpenApiResponse(description="Not a dwelling of yours."),
        },
    )
    def post(self, request, pk):
        """Have both versions of the dwelling's plan made now (lead party, heat company). A new version
        is made only where something changed; without a broker the plans are made at once."""
        try:
            job = services.plans_request(actor=request.user, dwelling_id=pk)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"dwelling": exc.messages}) from exc
        job.refresh_from_db()
        dwelling = Dwelling.objects.get(pk=pk)
        data = {
            "job": job.pk,
            "status": job.status,
            "finished": job.finished,
            "plans": plan_list(user=request.user, dwelling=dwelling),
        }
        return Response(
            RenderJobSerializer(data, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class PlanFile(generics.GenericAPIView):
    serializer_class = ConnectionPlanSerializer  # for the schema only; the answer is the PDF

    def perform_content_negotiation(self, request, force=False):
        # The answer is a PDF whatever the client accepts; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not a plan you may open."),
        }
    )
    def get(self, request, pk):
        """The PDF of one version of a connection plan."""
        plan = plan_get(user=request.user, pk=pk)
        response = FileResponse(
            plan.file.open("rb"),
            as_attachment=False,
            filename=services.plan_filename(plan),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response
