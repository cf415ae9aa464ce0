"""Making a version of a plan: its HTML, the PDF (``surveys.plans.pdf``, which imports WeasyPrint
lazily), and the stored ``ConnectionPlan`` with its version number, decided under the lock of the
dwelling row. The same content returns the stored version.
"""

import copy
import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from projects.models import Dwelling, User
from surveys.models import ConnectionPlan, PlanVariant
from surveys.plans.pdf import html_to_pdf, image_url

from .content import _context, _Source, plan_source_hash


def _css_string(text: str) -> str:
    """A CSS string literal; nothing in ``text`` can end it or the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + " ".join(escaped.split()) + '"'


def plan_html(context: dict, *, version: int, made_at: datetime.datetime, storage=None) -> str:
    """The plan's HTML, images pointing at files the PDF renderer reads (see ``surveys.plans.pdf``)."""
    context = copy.deepcopy(context)
    for picture in _pictures(context):
        picture["src"] = image_url(picture["name"], storage)
    with translation.override(settings.LANGUAGE_CODE):
        page = _css_string(_("page {page} of {pages}")).replace("{page}", '" counter(page) "')
        footer = {
            "page": page.replace("{pages}", '" counter(pages) "'),
            "left": _css_string(
                f"{_('Connection plan')} {context['address']['street']} {context['address']['number']}"
                f" · v{version} · {context['variant_title']}"
            ),
        }
        return render_to_string(
            "surveys/plans/plan.html",
            {**context, "version": version, "made_at": made_at, "footer": footer},
        )


def _pictures(context: dict):
    for section in context["sections"]:
        for group in section["images"]:
            yield from group["photos"]
    yield from context["signature"]


def plan_filename(plan: ConnectionPlan) -> str:
    """The name under which a plan is downloaded: aansluitplan-<street>-<nr>-v<version>.pdf."""
    dwelling = plan.dwelling
    parts = ["aansluitplan", slugify(dwelling.street), slugify(dwelling.house_number_full)]
    if plan.variant == PlanVariant.INSTALLER:
        parts.append("installateur")
    return "-".join(part for part in parts if part) + f"-v{plan.version}.pdf"


def _last_version(dwelling_id: int, variant: str) -> int:
    return (
        ConnectionPlan.objects.filter(dwelling_id=dwelling_id, variant=variant).aggregate(
            last=Max("version")
        )["last"]
        or 0
    )


def _stored(dwelling_id: int, variant: str, source_hash: str) -> ConnectionPlan | None:
    return ConnectionPlan.objects.filter(
        dwelling_id=dwelling_id, variant=variant, source_hash=source_hash
    ).first()


def _render(
    source: _Source, variant: str, made_by: User | None, cache: dict | None = None
) -> tuple[ConnectionPlan, bool]:
    """Make one version unless one with the same content exists: (plan, whether it is new)."""
    dwelling = source.dwelling
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(source, variant)
    source_hash = plan_source_hash(context)
    stored = _stored(dwelling.pk, variant, source_hash)
    if stored is not None:
        return stored, False
    # The PDF is made outside the lock (it takes a while); the version is decided under the lock of
    # the dwelling row, and made again in the rare case another version got in between.
    for _attempt in range(3):
        version = _last_version(dwelling.pk, variant) + 1
        pdf = html_to_pdf(plan_html(context, version=version, made_at=timezone.now()), cache=cache)
        with transaction.atomic():
            list(Dwelling.objects.select_for_update().filter(pk=dwelling.pk).values_list("pk", flat=True))
            stored = _stored(dwelling.pk, variant, source_hash)
            if stored is not None:
                return stored, False
            if _last_version(dwelling.pk, variant) + 1 != version:
                continue
            plan = ConnectionPlan(
                dwelling=dwelling,
                variant=variant,
                version=version,
                survey_version=source.survey.version,
                source_hash=source_hash,
                size=len(pdf),
                made_by=made_by,
            )
            plan.file.save(f"aansluitplan-{variant}-v{version}.pdf", ContentFile(pdf), save=False)
            try:
                with transaction.atomic():
                    plan.save()
            except IntegrityError:
                plan.file.delete(save=False)
                raise
            return plan, True
    raise RuntimeError(f"Could not settle the version of the plan of dwelling {dwelling.pk}")


def plan_render(dwelling: Dwelling, variant: str, made_by: User | None = None) -> ConnectionPlan:
    """Make one version of the dwelling's plan as a PDF, or return the stored one with the same
    content. Raises ValidationError when the dwelling has no survey."""
    return _render(_Source.load(dwelling.pk), PlanVariant(variant), made_by)[0]


def plans_render(*, dwelling_id: int, made_by: User | None = None) -> list[tuple[ConnectionPlan, bool]]:
    """Make both versions of a dwelling's plan (where the content changed): [(plan, is new), ...]."""
    source = _Source.load(dwelling_id)
    cache: dict = {}  # both versions show the same photos: decode them once
    return [_render(source, variant, made_by, cache) for variant in (PlanVariant.FULL, PlanVariant.INSTALLER)]
