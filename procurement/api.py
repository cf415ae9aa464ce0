"""The work packages API, mounted at /api/v1/packages/: read what you see; the lead party offers and
withdraws, the installer accepts and declines. Every change takes the ``version`` you read: a stale or
double request answers 409 and changes nothing; a refused offer 400 with the reason under "installer";
outside your view 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from procurement import selectors, services
from procurement.models import WorkPackage


class PackageSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    installer = serializers.StringRelatedField(allow_null=True)
    agreement = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    size = serializers.IntegerField(read_only=True, help_text="Dwellings in the package.")
    dwellings = serializers.SerializerMethodField(help_text="The ids of the dwellings you see in it.")

    class Meta:
        model = WorkPackage
        fields = [
            "id",
            "project",
            "number",
            "name",
            "status",
            "first_week",
            "last_week",
            "installer",
            "agreement",
            "reason",
            "version",
            "size",
            "dwellings",
        ]

    def get_dwellings(self, package) -> list[int]:
        if self.context.get("view") is None or self.context["view"].action != "retrieve":
            return []
        user = self.context["request"].user
        return [item.dwelling_id for item in selectors.package_dwellings(user, package)]


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; another answers 409.")


class OfferSerializer(VersionSerializer):
    installer = serializers.IntegerField(help_text="The id of an installer organisation of the project.")


class MoveSerializer(OfferSerializer):
    dwellings = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Dwelling ids of the package; none: all."
    )


class ReasonSerializer(VersionSerializer):
    reason = serializers.CharField()


class PackageViewSet(viewsets.ReadOnlyModelViewSet):
    """Work packages. ``?project=<slug>`` keeps one project's."""

    serializer_class = PackageSerializer
    queryset = WorkPackage.objects.none()  # for the schema; the real one depends on the caller
    refusal_field = "status"

    def get_queryset(self):
        packages = selectors.package_list(self.request.user)
        project = self.request.query_params.get("project")
        if self.action == "list" and project:
            packages = packages.filter(project__slug=project)
        return packages

    def _answer(self, package_id: int) -> Response:
        package = self.get_queryset().get(pk=package_id)
        return Response(PackageSerializer(package, context=self.get_serializer_context()).data)

    @extend_schema(request=OfferSerializer, responses=PackageSerializer)
    @action(detail=True, methods=["post"])
    def offer(self, request, pk=None):
        """Offer the package to an installer (lead party)."""
        package = self.get_object()
        payload = OfferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.package_offer(
            actor=request.user,
            package_id=package.pk,
            installer_id=payload.validated_data["installer"],
            expected_version=payload.validated_data["version"],
        )
        return self._answer(package.pk)

    @extend_schema(request=ReasonSerializer, responses=PackageSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw an open offer, with the reason (lead party)."""
        package = self.get_object()
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.package_withdraw(
            actor=request.user,
            package_id=package.pk,
            reason=payload.validated_data["reason"],
            expected_version=payload.validated_data["version"],
        )
        return self._answer(package.pk)

    @extend_schema(request=VersionSerializer, responses=PackageSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the offer (the installer's coordinator): its dwellings are assigned to you."""
        package = self.get_object()
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.package_accept(
            actor=request.user, package_id=package.pk, expected_version=payload.validated_data["version"]
        )
        return self._answer(package.pk)

    @extend_schema(request=ReasonSerializer, responses=PackageSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline the offer, with the reason (the installer's coordinator)."""
        package = self.get_object()
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.package_decline(
            actor=request.user,
            package_id=package.pk,
            reason=payload.validated_data["reason"],
            expected_version=payload.validated_data["version"],
        )
        return self._answer(package.pk)

    @extend_schema(request=MoveSerializer, responses=PackageSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the accepted package, or some of its dwellings, to another installer (lead party): a new
        package, offered to it under the usual rules. Answers the new package."""
        package = self.get_object()
        payload = MoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        moved = services.package_move(
            actor=request.user,
            package_id=package.pk,
            installer_id=payload.validated_data["installer"],
            dwelling_ids=payload.validated_data.get("dwellings") or None,
            expected_version=payload.validated_data["version"],
        )
        return self._answer(moved.pk)
