"""The connection plan (aansluitplan) of a dwelling: what goes into it, its PDF, its versions, and when
it is made.

A plan is made from the survey, the works and the planning, in two versions (see
``surveys.plans.permissions``). What goes into a version is gathered by ``plan_context`` as plain data;
its fingerprint (``source_hash``, a SHA-256 of that data as canonical JSON, never of the PDF, which
carries the date it was made) decides whether a new version is needed: the same content returns the
stored version, any change makes version n+1 and keeps the older ones.

Plans are made in a Celery task, after the lead party approves the plan (``on_plan_approved``), on
demand from the dwelling page, and for a whole project as a job with progress.
"""

import copy
import datetime
import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Contact, Dwelling, Job, Ownership, Participation, Phase, Project, Role, User
from projects.permissions import can_view_dwelling
from projects.states import MAIN_PATH, DwellingState
from surveys.models import ConnectionPlan, Photo, PlanVariant, Survey
from surveys.plans.pdf import html_to_pdf, image_url
from surveys.plans.permissions import can_make_plans, can_make_project_plans
from surveys.schema import RESPONSIBLE, SECTIONS_BY_NAME, WORKS

logger = logging.getLogger(__name__)

# Raise when the template changes what a plan says: every plan then gets a new version when it is
# made again. (A change of layout alone need not make new versions.)
LAYOUT_VERSION = 1

# The states in which a dwelling has an approved plan; the project batch makes plans for these.
PLAN_READY_OR_LATER = tuple(MAIN_PATH[MAIN_PATH.index(DwellingState.PLAN_READY) :])

VARIANT_TITLES = {
    PlanVariant.FULL: gettext_lazy("full version"),
    PlanVariant.INSTALLER: gettext_lazy("installer version"),
}

# Sections of the survey in the order the plan shows them; works and sign-off have their own place.
PLAN_SECTIONS = ("delivery_set", "dwelling_scan", "kitchen_table")
IMAGE_KINDS = ("photos", "sketch")

NO_SURVEY = gettext_lazy(
    "A connection plan is made from the recorded survey; this dwelling has not been surveyed yet."
)

# Dwellings per task of a project batch: small enough that two workers share the work evenly.
BATCH_CHUNK = 10


# --- What goes into a plan -------------------------------------------------------------------------


@dataclass
class _Source:
    """Everything a plan reads, loaded once for both versions (five queries)."""

    dwelling: Dwelling
    survey: Survey
    photos: list[Photo]
    contacts: list[Contact]
    participations: list[Participation]

    @classmethod
    def load(cls, dwelling_id: int) -> "_Source":
        dwelling = Dwelling.objects.select_related(
            "project", "housing_association", "installer", "survey_party"
        ).get(pk=dwelling_id)
        survey = Survey.objects.filter(dwelling=dwelling).first()
        if survey is None:
            raise ValidationError(NO_SURVEY)
        return cls(
            dwelling=dwelling,
            survey=survey,
            photos=list(survey.photos.order_by("field", "created_at", "pk")),
            contacts=list(dwelling.contacts.order_by("role")),
            participations=list(
                Participation.objects.filter(
                    project_id=dwelling.project_id, role__in=(Role.COMMUNICATING_PARTY, Role.LEAD)
                )
                .select_related("organisation")
                .order_by("organisation__name", "pk")
            ),
        )


def _display(schema_field, value) -> tuple[str, list[str]]:
    """An answer as text (or as a list of items, for a checklist)."""
    if value in (None, "", [], {}):
        return "", []
    choices = dict(schema_field.choices)
    if schema_field.kind == "multichoice":
        values = value if isinstance(value, list) else [value]
        return "", [str(choices.get(item, item)) for item in values]
    if schema_field.kind == "choice":
        return str(choices.get(value, value)), []
    if schema_field.kind == "boolean":
        return (str(_("yes")) if value else str(_("no"))), []
    if schema_field.kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value), []
        return formats.number_format(int(number) if number.is_integer() else number, use_l10n=True), []
    return str(value), []


def _photo(photo: Photo) -> dict:
    return {"id": photo.pk, "name": photo.image.name, "width": photo.width, "height": photo.height}


def _section(source: _Source, name: str, variant: str) -> dict | None:
    section = SECTIONS_BY_NAME[name]
    full = variant == PlanVariant.FULL
    if section.personal and not full:
        return None
    fields, images = [], []
    for schema_field in section.fields:
        if schema_field.personal and not full:
            continue
        key = f"{section.name}.{schema_field.name}"
        if schema_field.kind in IMAGE_KINDS:
            pictures = [_photo(photo) for photo in source.photos if photo.field == key]
            if pictures:
                images.append(
                    {"label": str(schema_field.label), "kind": schema_field.kind, "photos": pictures}
                )
            continue
        if schema_field.kind in ("works", "signature"):
            continue
        if not schema_field.applies(section.name, source.survey.value):
            continue  # not asked for this home
        answer = source.survey.answers.get(key)
        answer = answer if isinstance(answer, dict) else {}
        text, items = _display(schema_field, answer.get("value"))
        if not text and not items and not schema_field.required:
            continue  # an optional question nobody answered says nothing
        fields.append(
            {
                "label": str(schema_field.label),
                "text": text,
                "items": items,
                "long": schema_field.kind == "longtext",
                "by_resident": answer.get("by") == "resident",
            }
        )
    return {"name": section.name, "title": str(section.title), "fields": fields, "images": images}


def _contact_point(source: _Source) -> dict | None:
    """The one contact point for the resident: the communicating party, else the lead party (the one
    leading the communication phase first, under a varying lead)."""
    by_preference = sorted(
        source.participations,
        key=lambda p: (p.role != Role.COMMUNICATING_PARTY, p.phase not in ("", Phase.COMMUNICATION)),
    )
    if not by_preference:
        return None
    organisation = by_preference[0].organisation
    return {"name": organisation.name, "email": organisation.email, "phone": organisation.phone}


def _people(source: _Source, variant: str) -> list[dict]:
    dwelling = source.dwelling
    if variant == PlanVariant.FULL:
        return [
            {
                "role": str(contact.get_role_display()),
                "also_resident": contact.role == "owner" and dwelling.ownership == Ownership.OWNER_OCCUPIED,
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
            }
            for contact in source.contacts
        ]
    # The installer gets the access contact only: the resident's name and phone, nothing more
    # (projects.permissions.can_see_access_contact).
    access = dwelling.access_contact(source.contacts)
    if access is None:
        return []
    return [
        {
            "role": str(_("access contact")),
            "also_resident": False,
            "name": access.name,
            "email": "",
            "phone": access.phone,
        }
    ]


def _facts(dwelling: Dwelling) -> list[list[str]]:
    rows = [
        (_("Ownership"), dwelling.get_ownership_display()),
        (_("Housing association"), dwelling.housing_association.name if dwelling.housing_association else ""),
        (_("Owners' association (VvE)"), dwelling.owners_association),
        (_("Dwelling type"), dwelling.get_dwelling_type_display()),
        (_("Build year"), dwelling.build_year or ""),
        (_("Energy label"), dwelling.energy_label),
        (_("Floor area"), f"{dwelling.floor_area} m²" if dwelling.floor_area else ""),
        (_("Listed monument"), _("yes") if dwelling.listed_monument else ""),
        (_("Cluster"), dwelling.cluster),
        (_("BAG object id"), dwelling.bag_id),
    ]
    return [[str(label), str(value)] for label, value in rows if value not in ("", None)]


def _local_date(moment) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _context(source: _Source, variant: str) -> dict:
    dwelling, survey = source.dwelling, source.survey
    full = variant == PlanVariant.FULL
    works = dict(WORKS)
    responsible = dict(RESPONSIBLE)
    signature = [_photo(p) for p in source.photos if p.field == "sign_off.signature"]
    return {
        "layout": LAYOUT_VERSION,
        "language": settings.LANGUAGE_CODE,
        "variant": str(variant),
        "variant_title": str(VARIANT_TITLES[variant]),
        "full": full,
        "project": {"name": dwelling.project.name, "municipality": dwelling.project.municipality},
        "address": {
            "street": dwelling.street,
            "number": dwelling.house_number_full,
            "postcode": dwelling.postcode,
            "city": dwelling.city,
        },
        "facts": _facts(dwelling),
        "extra_care": dwelling.extra_care,  # the flag only: the care note stays with lead and communicator
        # The note is a personal circumstance: the installer gets the flag only.
        "people": _people(source, variant),
        "contact_point": _contact_point(source),
        "planning": {
            "surveyed_on": _local_date(dwelling.survey_completed_at),
            "survey_party": dwelling.survey_party.name if dwelling.survey_party else "",
            "plan_approved_on": _local_date(dwelling.plan_approved_at),
            "installer": dwelling.installer.name if dwelling.installer else "",
            "installation_planned_on": dwelling.installation_planned_on,
        },
        "works": [
            {
                "work": str(works.get(row.get("work"), row.get("work", ""))),
                "responsible": str(responsible.get(row.get("responsible"), row.get("responsible", ""))),
            }
            for row in survey.works
            if isinstance(row, dict)
        ],
        "sections": [
            section for name in PLAN_SECTIONS if (section := _section(source, name, variant)) is not None
        ],
        "signature": signature if full else [],
    }


def plan_context(dwelling: Dwelling, variant: str) -> dict:
    """What goes into one version of the dwelling's plan, as plain data, in the project's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _context(_Source.load(dwelling.pk), PlanVariant(variant))


def plan_source_hash(context: dict) -> str:
    """The fingerprint of a plan's content: SHA-256 of its context as canonical JSON."""
    canonical = json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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


# --- Making a version ------------------------------------------------------------------------------


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


# --- When plans are made ---------------------------------------------------------------------------


def on_plan_approved(dwelling: Dwelling, *, actor: User | None = None) -> None:
    """Have the plans made once the approval is committed (call inside the approving transaction).

    Robust: a plan that cannot be made (with Celery eager) does not undo or break the approval; it is
    logged, and the plan can be made again from the dwelling page.
    """
    plans_refresh(dwelling, actor=actor)


def plans_refresh(
    dwelling: Dwelling, *, actor: User | None = None, after_survey_version: int | None = None
) -> None:
    """Have the dwelling's plans made again once the current transaction commits; a version whose
    content did not change is not made again. For what the plan shows of the planning (the installer,
    the installation date) and of the register, at once.

    ``after_survey_version``: a correction to the survey. A surveyor corrects by typing, and every
    pause sends a change, so the plans are made ``CONNECTION_PLAN_DELAY`` seconds later, and only if
    the survey is still at that version; a later change has its own turn. One correction makes one
    new version, not one per pause.
    """
    from surveys.plans.tasks import render_plans

    dwelling_id, made_by_id = dwelling.pk, actor.pk if actor else None
    if after_survey_version is None:
        transaction.on_commit(lambda: render_plans.delay(dwelling_id, made_by_id), robust=True)
        return
    transaction.on_commit(
        lambda: render_plans.apply_async(
            args=[dwelling_id, made_by_id],
            kwargs={"survey_version": after_survey_version},
            countdown=settings.CONNECTION_PLAN_DELAY,
        ),
        robust=True,
    )


def plans_follow_register(*, actor: User | None, dwelling_ids: list[int]) -> int:
    """After the register changed for these dwellings (an import): have the plans of those with an
    approved plan made again once the change is committed, in chunks of ``BATCH_CHUNK`` per task; a
    plan whose content did not change is not made again. The number of dwellings whose plans follow."""
    from surveys.plans.tasks import render_plans_chunk
    from surveys.services import PLANNED_STATES

    ids: list[int] = []
    for start in range(0, len(dwelling_ids), 1000):  # SQLite takes a limited number of parameters
        chunk = dwelling_ids[start : start + 1000]
        ids += Dwelling.objects.filter(pk__in=chunk, state__in=PLANNED_STATES).values_list("pk", flat=True)
    ids.sort()
    made_by_id = actor.pk if actor else None
    for start in range(0, len(ids), BATCH_CHUNK):
        chunk = ids[start : start + BATCH_CHUNK]
        transaction.on_commit(lambda chunk=chunk: render_plans_chunk.delay(chunk, made_by_id), robust=True)
    return len(ids)


def plans_render_current(
    *, dwelling_id: int, made_by: User | None = None, survey_version: int | None = None
) -> list[tuple[ConnectionPlan, bool]]:
    """``plans_render``, unless the survey moved past ``survey_version`` meanwhile: then nothing
    (the later change scheduled its own turn)."""
    if (
        survey_version is not None
        and not Survey.objects.filter(dwelling_id=dwelling_id, version=survey_version).exists()
    ):
        return []
    return plans_render(dwelling_id=dwelling_id, made_by=made_by)


def _enqueue(job: Job) -> None:
    from surveys.plans.tasks import plans_batch_task

    transaction.on_commit(lambda: plans_batch_task.delay(job.pk))


UNFINISHED = (Job.Status.PENDING, Job.Status.RUNNING)
# A job unfinished for longer than this is taken for lost (a worker that died): it no longer shows as
# "being made", and asking again starts a new one.
STALE_AFTER = datetime.timedelta(minutes=30)


def plans_pending(dwelling: Dwelling) -> Job | None:
    """The unfinished job that is making this dwelling's plans, if any."""
    return (
        Job.objects.filter(
            project_id=dwelling.project_id,
            kind=Job.Kind.PLAN_BATCH,
            status__in=UNFINISHED,
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .filter(Q(params__dwelling_id=dwelling.pk) | Q(params__scope="project"))
        .order_by("-created_at")
        .first()
    )


def plans_request(*, actor: User, dwelling_id: int) -> Job:
    """Have the plans of one dwelling made now (the button on the dwelling page). A request while one
    is still waiting returns that one. Raises Dwelling.DoesNotExist outside scope, PermissionDenied
    for a party that does not make plans, ValidationError before the survey is recorded."""
    with transaction.atomic():
        dwelling = (
            Dwelling.objects.select_for_update(of=("self",)).select_related("project").get(pk=dwelling_id)
        )
        if not can_view_dwelling(actor, dwelling):
            raise Dwelling.DoesNotExist
        if not can_make_plans(actor, dwelling):
            raise PermissionDenied(_("Only the lead party and the heat company have connection plans made."))
        if dwelling.survey_completed_at is None:
            raise ValidationError(NO_SURVEY)
        pending = plans_pending(dwelling)
        if pending is not None and pending.params.get("dwelling_id") == dwelling.pk:
            return pending
        job = Job.objects.create(
            project=dwelling.project,
            kind=Job.Kind.PLAN_BATCH,
            created_by=actor,
            total=1,
            params={"dwelling_id": dwelling.pk, "dwelling_ids": [dwelling.pk]},
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def plans_batch_dwellings(project: Project):
    return Dwelling.objects.filter(project=project, state__in=PLAN_READY_OR_LATER)


def plans_batch_start(*, actor: User, project: Project) -> Job:
    """Make the plans of every dwelling of the project that is plan_ready or further, as a job with
    progress. A second start while one runs returns the running one."""
    if not can_make_project_plans(actor, project):
        raise PermissionDenied(_("Only the lead party has the plans of a whole project made."))
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).exists()
        running = Job.objects.filter(
            project=project,
            kind=Job.Kind.PLAN_BATCH,
            status__in=UNFINISHED,
            params__scope="project",
            created_at__gte=timezone.now() - STALE_AFTER,
        ).first()
        if running is not None:
            return running
        ids = list(plans_batch_dwellings(project).order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("No dwelling of this project has an approved connection plan yet."))
        job = Job.objects.create(
            project=project,
            kind=Job.Kind.PLAN_BATCH,
            created_by=actor,
            total=len(ids),
            params={"scope": "project", "dwelling_ids": ids},
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def plans_batch_chunks(job: Job) -> list[list[int]]:
    """Start a plan job: its dwellings in chunks, one task each. Empty when it started before."""
    if job.finished or job.status == Job.Status.RUNNING:
        return []
    ids = list(job.params.get("dwelling_ids", []))
    job.start(total=len(ids))
    return [ids[start : start + BATCH_CHUNK] for start in range(0, len(ids), BATCH_CHUNK)]


def plans_batch_chunk(*, job_id: int, chunk: int, dwelling_ids: list[int]) -> None:
    """Make the plans of one chunk of a job and add it to the job's progress (once per chunk, so a
    task that runs twice counts once); the last chunk finishes the job."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if chunk in job.result.get("chunks", []):
        return
    made = unchanged = 0
    failed = []
    for dwelling_id in dwelling_ids:
        try:
            for _plan, new in plans_render(dwelling_id=dwelling_id, made_by=job.created_by):
                made += new
                unchanged += not new
        except Dwelling.DoesNotExist:
            continue  # removed meanwhile
        except Exception as exc:  # one dwelling's failure must not stop the others
            logger.exception("Connection plan of dwelling %s failed", dwelling_id)
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            address = Dwelling.objects.filter(pk=dwelling_id).first()
            failed.append([dwelling_id, str(address or dwelling_id), reason or _("unknown error")])
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        result = job.result
        if chunk in result.get("chunks", []):
            return
        result["chunks"] = [*result.get("chunks", []), chunk]
        result["made"] = result.get("made", 0) + made
        result["unchanged"] = result.get("unchanged", 0) + unchanged
        result["failed"] = [*result.get("failed", []), *failed]
        job.processed = F("processed") + len(dwelling_ids)
        job.save(update_fields=["result", "processed"])
        job.refresh_from_db(fields=["processed", "total"])
        if job.processed >= job.total:
            job.status = Job.Status.DONE
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "finished_at"])
