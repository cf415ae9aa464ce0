"""Read API of what was sent to residents, mounted at /api/v1/messages/ and /api/v1/campaigns/.

The same scope as the pages (``messages_visible_to``, ``campaigns_visible_to``): a message outside it
answers 404, and a municipality sees no message at all, only the counts on the project page. Sending
stays in the pages, where the communicating party sees the recipients and a preview first.
"""

from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from communication import selectors
from communication.models import Campaign, Message, MessageStatus
from communication.permissions import messages_visible_to
from communication.services.campaigns import figures
from communication.statuses import FAILED


class MessageSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    campaign = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    person = serializers.PrimaryKeyRelatedField(source="contact", read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "reference",
            "project",
            "dwelling",
            "person",
            "recipient_name",
            "campaign",
            "trigger",
            "template_key",
            "channel",
            "language",
            "address",
            "subject",
            "body",
            "fallback",
            "status",
            "reason",
            "created_at",
            "sent_at",
            "status_changed_at",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sent_by = serializers.StringRelatedField(source="organisation")
    messages = serializers.IntegerField(source="message_total", read_only=True)
    delivered = serializers.IntegerField(source="message_delivered", read_only=True)
    failed = serializers.IntegerField(source="message_failed", read_only=True)
    waiting = serializers.IntegerField(
        source="message_waiting", read_only=True, help_text="Queued or being sent."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "project",
            "sent_by",
            "name",
            "template_key",
            "filters",
            "status",
            "send_at",
            "created_at",
            "started_at",
            "finished_at",
            "messages",
            "delivered",
            "failed",
            "waiting",
        ]


class CampaignDetailSerializer(CampaignSerializer):
    figures = serializers.SerializerMethodField(
        help_text="Messages per status, per channel, and per channel and status."
    )

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "figures"]

    def get_figures(self, campaign) -> dict:
        counted = figures(campaign)
        return {key: counted[key] for key in ("per_status", "per_channel", "table")}


def _filtered(queryset, params, fields):
    """Exact filters from the query string; a value that is not a number for an id keeps nothing."""
    for param, lookup, numeric in fields:
        value = params.get(param)
        if not value:
            continue
        if numeric and not value.isdigit():
            return queryset.none()
        queryset = queryset.filter(**{lookup: value})
    return queryset


MESSAGE_FILTERS = [
    ("project", "project__slug", False),
    ("dwelling", "dwelling_id", True),
    ("person", "contact_id", True),
    ("campaign", "campaign_id", True),
    ("channel", "channel", False),
    ("status", "status", False),
]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.INT if numeric else OpenApiTypes.STR)
            for name, _lookup, numeric in MESSAGE_FILTERS
        ]
    )
)
class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Messages to residents with their content as sent, newest first: for the parties that see the
    people of the homes, and a party's own messages under dispersed communication."""

    serializer_class = MessageSerializer
    queryset = Message.objects.none()  # for the schema; the real one depends on the caller

    def get_queryset(self):
        messages = messages_visible_to(self.request.user).select_related("project")
        if self.action == "list":
            messages = _filtered(messages, self.request.query_params, MESSAGE_FILTERS)
        return messages.order_by("-created_at", "-pk")


CAMPAIGN_FILTERS = [("project", "project__slug", False), ("status", "status", False)]


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter(name, OpenApiTypes.STR) for name, *_ in CAMPAIGN_FILTERS])
)
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns with their counts; the detail adds the figures per status and channel."""

    queryset = Campaign.objects.none()

    def get_serializer_class(self):
        return CampaignDetailSerializer if self.action == "retrieve" else CampaignSerializer

    def get_queryset(self):
        campaigns = (
            selectors.campaigns_visible_to(self.request.user)
            .select_related("project", "organisation")
            .annotate(
                message_total=Count("messages"),
                message_delivered=Count("messages", filter=Q(messages__status=MessageStatus.DELIVERED)),
                message_failed=Count("messages", filter=Q(messages__status__in=FAILED)),
                message_waiting=Count(
                    "messages",
                    filter=Q(messages__status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]),
                ),
            )
        )
        if self.action == "list":
            campaigns = _filtered(campaigns, self.request.query_params, CAMPAIGN_FILTERS)
        return campaigns.order_by("-created_at", "-pk")
