"""The drilling notification's own services: registry entry, status per authority, the parts' decisions,
results (layer log), the water authority's silence, the LfULG registry with its exports.

Case state changes always go through the engine (`amtsweg.cases.services`): it checks the transition, audits
and queues side effects in one transaction. Staff querysets come only from the tenancy manager.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.cases import audit
from amtsweg.cases import services as cases
from amtsweg.cases.models import Case, CasePart, FollowUpSubmission
from amtsweg.cases.states import TERMINAL, State
from amtsweg.procedures.bohrung import geo, layers
from amtsweg.procedures.bohrung.models import Bohrung
from amtsweg.procedures.bohrung.procedure import (
    GEOLOGY,
    KEY,
    MINING,
    PURPOSES,
    WATER,
    _date,
    _float,
    add_month,
)

REVIEW_PURPOSE = "Prüfung der Bohranzeige"
RESULTS_KEY = "ergebnisse"
OPEN_WATER_STATES = (State.SUBMITTED, State.IN_REVIEW, State.INFORMATION_REQUESTED)


class BohrungError(cases.CaseError):
    pass


# --- submission -------------------------------------------------------------------------------------------


def record_submission(case: Case, data, location: geo.Location) -> Bohrung:
    """Called by the procedure inside the submission transaction."""
    collar = _float(data.get("ansatzhoehe"))
    return Bohrung.objects.create(
        case=case,
        purpose=data.get("zweck") or "",
        count=int(data.get("anzahl") or 1),
        depth_m=Decimal(str(data.get("endtiefe"))),
        inclined=data.get("verlauf") == "schraeg",
        easting=Decimal(f"{location.easting:.2f}"),
        northing=Decimal(f"{location.northing:.2f}"),
        input_crs=location.crs,
        lat=location.lat,
        lon=location.lon,
        collar_m=Decimal(f"{collar:.2f}") if collar is not None else None,
        district_ags=location.district_ags,
        district_name=location.district_name,
        municipality=location.municipality,
        cavity_area=location.cavity_area,
        planned_start=_date(data.get("beginn")),
        planned_end=_date(data.get("ende")),
        objection_until=add_month(timezone.localdate()),
    )


# --- what the applicant sees ------------------------------------------------------------------------------


def water_silent(bohrung: Bohrung, part: CasePart, today: dt.date | None = None) -> bool:
    """The water authority's month passed without a stop order or conditions: shown as "keine Einwände"."""
    today = today or timezone.localdate()
    return part.label == WATER and part.state in OPEN_WATER_STATES and today > bohrung.objection_until


def status_rows(case: Case, today: dt.date | None = None) -> list[dict]:
    bohrung = Bohrung.objects.filter(case=case).first()
    rows = []
    for part in case.parts.select_related("authority").order_by("-is_lead", "pk"):
        decision = part.decisions.order_by("-decided_at").first()
        text = State(part.state).label
        if bohrung is not None and water_silent(bohrung, part, today):
            text = _("keine Einwände (Frist von einem Monat ohne Untersagung verstrichen)")
        elif part.label == WATER and part.state in OPEN_WATER_STATES and bohrung is not None:
            text = _("in Prüfung – Einspruchsfrist bis %(day)s") % {
                "day": f"{bohrung.objection_until:%d.%m.%Y}"
            }
        rows.append(
            {
                "part": part,
                "label": part.label,
                "authority": part.authority.name,
                "status": text,
                "decision": decision.summary if decision is not None else "",
            }
        )
    return rows


def results_expected(case: Case) -> FollowUpSubmission | None:
    return FollowUpSubmission.objects.filter(case=case, key=RESULTS_KEY).first()


def submit_results(case: Case, user, post, files, row_count: int):
    """The layer log table, completion data and documents as the engine's follow-up. Raises CaseError."""
    if not Case.objects.for_citizen(user).filter(pk=case.pk, procedure_key=KEY).exists():
        raise cases.AccessDenied(_("Diese Bohranzeige gehört nicht zu Ihrem Konto."))
    rows, row_errors = layers.rows_from_post(post, row_count)
    depth_raw = str(post.get("ist_endtiefe", "")).strip().replace(",", ".")
    errors: dict[str, list[str]] = {}
    try:
        depth = Decimal(depth_raw)
        if not depth.is_finite() or not Decimal("0.1") <= depth <= Decimal("10000"):
            raise ValueError
    except Exception:
        depth = None
        errors["ist_endtiefe"] = [_("Bitte geben Sie die erreichte Endtiefe in Metern an (0,1 bis 10.000).")]
    row_errors.update(layers.check_rows(rows, depth))
    uploaded = files.getlist("ergebnis_dateien") if hasattr(files, "getlist") else []
    if not rows and not uploaded:
        errors["schichten"] = [
            _(
                "Bitte tragen Sie das Schichtenverzeichnis in die Tabelle ein oder laden Sie es als "
                "Dokument hoch."
            )
        ]
    if not str(post.get("ausbau", "")).strip():
        errors["ausbau"] = [_("Bitte beschreiben Sie Ausbau und Verfüllung der Bohrung.")]
    if errors or row_errors:
        raise BohrungError(_("Bitte prüfen Sie die markierten Angaben."), {**errors, "rows": row_errors})
    values = {
        "ist_endtiefe": depth,
        "schichten": layers.to_json(rows) if rows else "",
        "ausbau": str(post.get("ausbau", ""))[:5000],
    }
    return cases.submit_follow_up(case, user, RESULTS_KEY, values, {"ergebnis_dateien": uploaded})


# --- staff ------------------------------------------------------------------------------------------------


def staff_part(user, public_id) -> CasePart | None:
    return (
        CasePart.objects.for_staff(user, "case_worker")
        .filter(case__public_id=public_id, case__procedure_key=KEY)
        .select_related("case", "authority")
        .order_by("-is_lead", "pk")
        .first()
    )


def worklist(user):
    return cases.worklist(user).filter(case__procedure_key=KEY).select_related("case__bohrung")


def open_case(case: Case, user, purpose: str) -> dict:
    """Decrypt what the user's authority received (audited, in the citizen's transparency log)."""
    content = cases.read_submission(case, user, purpose or REVIEW_PURPOSE)
    values = (content["submission"] or {}).get("values") or {}
    results = [
        {**(f.get("values") or {}), "rows": layers.from_json((f.get("values") or {}).get("schichten"))}
        for f in content["follow_ups"]
        if f.get("key") == RESULTS_KEY
    ]
    return {"values": values, "results": results, "part": content["part"]}


DECISIONS = {
    # kind: (engine outcome, summary shown to the applicant, operative text of the letter)
    "auflagen": (
        "granted",
        gettext_lazy("Keine Einwände unter Auflagen. Die Auflagen stehen im Bescheid."),
        gettext_lazy(
            "Gegen die angezeigte Bohrung bestehen keine Einwände, wenn die folgenden Auflagen "
            "eingehalten werden."
        ),
    ),
    "untersagung": (
        "rejected",
        gettext_lazy("Die Bohrung ist untersagt. Die Begründung steht im Bescheid."),
        gettext_lazy("Die angezeigte Bohrung wird untersagt (§ 49 Abs. 3 WHG)."),
    ),
}


def decide_part(case: Case, user, kind: str, text: str, *, expected_version=None):
    """The water authority's (or Oberbergamt's) objection as a sealed decision: conditions or a stop order."""
    if kind not in DECISIONS:
        raise BohrungError(_("Bitte wählen Sie: Auflagen oder Untersagung."))
    text = (text or "").strip()
    if not text or len(text) > 8000:
        raise BohrungError(
            _("Bitte schreiben Sie die Auflagen oder die Begründung (höchstens 8.000 Zeichen).")
        )
    part = staff_part(user, case.public_id)
    if part is None:
        raise cases.AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    if part.label not in (WATER, MINING):
        raise BohrungError(_("Auflagen und Untersagungen erlässt die Wasserbehörde oder das Oberbergamt."))
    bohrung = Bohrung.objects.get(case=case)
    if part.label == WATER and timezone.localdate() > bohrung.objection_until:
        raise BohrungError(
            _("Die Einspruchsfrist ist am %(day)s abgelaufen; die Bohrung gilt als nicht beanstandet.")
            % {"day": f"{bohrung.objection_until:%d.%m.%Y}"}
        )
    outcome, summary, operative = DECISIONS[kind]
    data = {
        "betreff": f"Bohranzeige {case.number} – {part.label}",
        "anrede": "Guten Tag,",
        "entscheidung": f"{operative}\n\n{text}",
        "begruendung": str(
            _("Die Bohrung liegt in %(place)s (%(district)s), geplante Endtiefe %(depth)s m.")
            % {"place": bohrung.municipality, "district": bohrung.district_name, "depth": bohrung.depth_m}
        ),
    }
    return cases.decide(
        case, user, outcome, part=part, data=data, summary=str(summary), expected_version=expected_version
    )


def expect_results(case: Case, user):
    part = staff_part(user, case.public_id)
    if part is None:
        raise cases.AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    return cases.transition(case, State.FOLLOW_UP_PENDING, user, part=part, note="Ergebnisse abwarten")


def close_part(case: Case, user, note: str = ""):
    """Close the user's part: LfULG after the results, water/mining authority with "keine Einwände"."""
    part = staff_part(user, case.public_id)
    if part is None:
        raise cases.AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    if part.label == GEOLOGY and part.state != State.CLOSED:
        expected = results_expected(case)
        if expected is not None and expected.received_at is None:
            raise BohrungError(
                _(
                    "Die Ergebnisse (§ 9 GeolDG) liegen noch nicht vor. Der Vorgang kann erst danach "
                    "abgeschlossen werden."
                )
            )
    return cases.transition(case, State.CLOSED, user, part=part, note=note[:500])


def record_silence(today: dt.date | None = None) -> int:
    """Periodic: water parts whose month passed without a decision get "keine Einwände" (audited once)."""
    today = today or timezone.localdate()
    count = 0
    due = Bohrung.objects.filter(no_objection_at__isnull=True, objection_until__lt=today).select_related(
        "case"
    )
    for bohrung in due:
        part = bohrung.case.parts.filter(label=WATER, state__in=OPEN_WATER_STATES).first()
        if part is None:
            continue
        with transaction.atomic():
            locked = Bohrung.objects.select_for_update().get(pk=bohrung.pk)
            if locked.no_objection_at is not None:
                continue
            locked.no_objection_at = timezone.now()
            locked.save(update_fields=["no_objection_at"])
            audit.append(
                "keine_einwaende",
                case=bohrung.case,
                authority=part.authority,
                detail={"part": part.number, "frist": bohrung.objection_until.isoformat()},
            )
        count += 1
    return count


def overdue_results(user, today: dt.date | None = None):
    return cases.overdue_follow_ups(user, today).filter(case__procedure_key=KEY, key=RESULTS_KEY)


# --- registry ---------------------------------------------------------------------------------------------

STATUS_FILTERS = {
    "offen": gettext_lazy("in Prüfung"),
    "ergebnisse": gettext_lazy("Ergebnisse erwartet"),
    "ueberfaellig": gettext_lazy("Ergebnisse überfällig"),
    "abgeschlossen": gettext_lazy("abgeschlossen"),
}


def registry(user, filters: dict | None = None, today: dt.date | None = None):
    """The drillings the user's authorities received (LfULG: all), filtered. Returns (queryset, cleaned
    filters, errors)."""
    today = today or timezone.localdate()
    filters = filters or {}
    errors: list[str] = []
    queryset = Bohrung.objects.for_staff(user).distinct().select_related("case")
    cleaned = {}
    district = str(filters.get("kreis", "") or "")
    if district:
        if district in geo.district_names():
            queryset = queryset.filter(district_ags=district)
            cleaned["kreis"] = district
        else:
            errors.append(_("Unbekannter Kreis."))
    purpose = str(filters.get("zweck", "") or "")
    if purpose:
        if purpose in dict(PURPOSES):
            queryset = queryset.filter(purpose=purpose)
            cleaned["zweck"] = purpose
        else:
            errors.append(_("Unbekannter Zweck."))
    for name, lookup in (("tiefe_von", "depth_m__gte"), ("tiefe_bis", "depth_m__lte")):
        raw = str(filters.get(name, "") or "").strip().replace(",", ".")
        if raw:
            try:
                value = Decimal(raw)
                if not value.is_finite() or value < 0:
                    raise ValueError
            except Exception:
                errors.append(_("Die Tiefe bitte als Zahl in Metern angeben."))
                continue
            queryset = queryset.filter(**{lookup: value})
            cleaned[name] = raw
    status = str(filters.get("status", "") or "")
    if status:
        if status not in STATUS_FILTERS:
            errors.append(_("Unbekannter Status."))
        else:
            cleaned["status"] = status
            pending = FollowUpSubmission.objects.filter(key=RESULTS_KEY, received_at__isnull=True)
            if status == "abgeschlossen":
                queryset = queryset.filter(case__state__in=TERMINAL)
            elif status == "ergebnisse":
                queryset = queryset.filter(case__in=pending.values("case")).exclude(case__state__in=TERMINAL)
            elif status == "ueberfaellig":
                queryset = queryset.filter(case__in=pending.filter(due_on__lt=today).values("case")).exclude(
                    case__state__in=TERMINAL
                )
            else:
                queryset = queryset.exclude(case__state__in=TERMINAL).exclude(case__in=pending.values("case"))
    return queryset, cleaned, errors


def status_of(bohrung: Bohrung) -> str:
    return State(bohrung.case.state).label


EXPORT_FIELDS = (
    "aktenzeichen",
    "zweck",
    "anzahl",
    "endtiefe_m",
    "schraeg",
    "ostwert_utm33",
    "nordwert_utm33",
    "epsg",
    "eingabe_crs",
    "ansatzhoehe_m_nhn",
    "kreisschluessel",
    "kreis",
    "gemeinde",
    "hohlraumgebiet",
    "beginn",
    "ende",
    "status",
)


def export_row(bohrung: Bohrung) -> dict:
    """One drilling without personal data: no names, addresses, parcel or borehole names."""
    return {
        "aktenzeichen": bohrung.case.number,
        "zweck": bohrung.get_purpose_display(),
        "anzahl": bohrung.count,
        "endtiefe_m": str(bohrung.depth_m),
        "schraeg": bohrung.inclined,
        "ostwert_utm33": str(bohrung.easting),
        "nordwert_utm33": str(bohrung.northing),
        "epsg": bohrung.epsg,
        "eingabe_crs": geo.CRS_LABELS.get(bohrung.input_crs, bohrung.input_crs),
        "ansatzhoehe_m_nhn": str(bohrung.collar_m) if bohrung.collar_m is not None else "",
        "kreisschluessel": bohrung.district_ags,
        "kreis": bohrung.district_name,
        "gemeinde": bohrung.municipality,
        "hohlraumgebiet": bohrung.cavity_area,
        "beginn": bohrung.planned_start.isoformat(),
        "ende": bohrung.planned_end.isoformat(),
        "status": str(status_of(bohrung)),
    }


def geojson(queryset) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(b.lon, 6), round(b.lat, 6)]},
                "properties": export_row(b),
            }
            for b in queryset
        ],
    }


def csv_text(queryset) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for bohrung in queryset:
        row = export_row(bohrung)
        # No cell may start a formula in a spreadsheet (CSV injection).
        writer.writerow(
            {k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()}
        )
    return out.getvalue()
