"""REST API of open slots: list what the caller may see, book one for a dwelling. Same rules and
services as the pages."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from surveys.models import SurveySlot

from . import services
from .permissions import slots_visible_to

TRUE = ("1", "true", "yes")
FALSE = ("0", "false", "no")


class SlotSurveyorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class SlotSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    surveyor = SlotSurveyorSerializer(read_only=True)
    open = serializers.BooleanField(source="is_open", read_only=True, help_text="Not booked yet.")
    dwelling = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The dwelling it is booked for."
    )

    class Meta:
        model = SurveySlot
        fields = ["id", "project", "surveyor", "starts_at", "published", "open", "dwelling"]


class SlotBookSerializer(serializers.Serializer):
    dwelling = serializers.IntegerField(help_text="The id of an informed dwelling of the slot's project.")


def _flag(value: str | None) -> bool | None:
    value = (value or "").lower()
    return True if value in TRUE else False if value in FALSE else None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("project", OpenApiTypes.STR, description="Only this project (its slug)."),
            OpenApiParameter(
                "published", OpenApiTypes.BOOL, description="1: published only; 0: not published."
            ),
            OpenApiParameter(
                "open", OpenApiTypes.BOOL, description="1: not booked and still to come; 0: booked."
            ),
        ]
    )
)
class SlotViewSet(viewsets.ReadOnlyModelViewSet):
    """Survey slots. The survey party sees its own surveyors' slots; the lead and the communicating
    party see the published ones; everyone else none (a slot outside your view answers 404)."""

    serializer_class = SlotSerializer
    queryset = SurveySlot.objects.none()  # for the schema; the real one depends on the caller
    # Booking for a dwelling that does not wait for a visit answers 400 under "dwelling".
    refusal_field = "dwelling"

    def get_queryset(self):
        slots = slots_visible_to(self.request.user).select_related("project", "surveyor")
        if self.action == "list":
            params = self.request.query_params
            if params.get("project"):
                slots = slots.filter(project__slug=params["project"])
            published = _flag(params.get("published"))
            if published is not None:
                slots = slots.filter(published=published)
            still_open = _flag(params.get("open"))
            if still_open:
                slots = slots.filter(dwelling__isnull=True, starts_at__gt=timezone.now())
            elif still_open is False:
                slots = slots.filter(dwelling__isnull=False)
        return slots.order_by("starts_at", "surveyor_id", "pk")

    @extend_schema(
        request=SlotBookSerializer,
        responses={200: SlotSerializer, 409: OpenApiResponse(description="Booked for another dwelling")},
    )
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        """Book this slot for an informed dwelling: plans its survey at the slot's time with the slot's
        surveyor. 409 if the slot was booked for another dwelling; 403 if your organisation may not
        plan the survey; 400 if the dwelling does not wait for a visit or the time is not free."""
        payload = SlotBookSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            slot = services.slot_book(
                actor=request.user, slot_id=pk, dwelling_id=payload.validated_data["dwelling"]
            )
        except ValueError as exc:  # a slot id that is no number: no such slot
            raise exceptions.NotFound() from exc
        slot = self.get_queryset().get(pk=slot.pk)
        return Response(SlotSerializer(slot).data)
