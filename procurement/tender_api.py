"""The tenders API, mounted at /api/v1/tenders/: the lead party sees its projects' tenders with every
bid and awards one; an invited installer sees the tender with its own bid only, and bids. A tender
outside your view answers 404; a closed tender 409."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from procurement import selectors, services
from procurement.models import Bid, Tender


class BidSerializer(serializers.ModelSerializer):
    installer = serializers.StringRelatedField()

    class Meta:
        model = Bid
        fields = ["id", "installer", "prices", "note", "submitted_at"]


class TenderSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    agreement = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    bids = serializers.SerializerMethodField(help_text="Every bid for the lead party; an installer its own.")

    class Meta:
        model = Tender
        fields = ["id", "project", "title", "scope", "description", "deadline", "status", "agreement", "bids"]

    def get_bids(self, tender) -> list[dict]:
        user = self.context["request"].user
        return BidSerializer(selectors.bids_visible_to(user, tender), many=True).data


class BidRequestSerializer(serializers.Serializer):
    prices = serializers.DictField(help_text='{"delivery_set": "1450.00", "indoor_pipes": "68.50"}')
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AwardRequestSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class TenderViewSet(viewsets.ReadOnlyModelViewSet):
    """Ad hoc tenders. ``?project=<slug>`` keeps one project's."""

    serializer_class = TenderSerializer
    queryset = Tender.objects.none()  # for the schema; the real one depends on the caller
    refusal_field = "status"

    def get_queryset(self):
        tenders = selectors.tenders_visible_to(self.request.user).select_related("project", "agreement")
        project = self.request.query_params.get("project")
        if self.action == "list" and project:
            tenders = tenders.filter(project__slug=project)
        return tenders.order_by("-created_at", "pk")

    def _answer(self, pk) -> Response:
        return Response(
            TenderSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=BidRequestSerializer,
        responses={
            200: TenderSerializer,
            409: OpenApiResponse(description="The tender is closed: past its deadline, awarded or cancelled"),
        },
    )
    @action(detail=True, methods=["post"])
    def bid(self, request, pk=None):
        """Bid, or change your bid, until the deadline (an invited installer's coordinator)."""
        tender = self.get_object()
        payload = BidRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.bid_submit(actor=request.user, tender_id=tender.pk, **payload.validated_data)
        return self._answer(tender.pk)

    @extend_schema(
        request=AwardRequestSerializer,
        responses={
            200: TenderSerializer,
            409: OpenApiResponse(description="The tender is closed: awarded or cancelled"),
        },
    )
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        """Award a bid (lead party): an agreement for this project only, with the bid's prices as rates."""
        tender = self.get_object()
        payload = AwardRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.tender_award(
            actor=request.user,
            tender_id=tender.pk,
            bid_id=data["bid"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )
        return self._answer(tender.pk)
