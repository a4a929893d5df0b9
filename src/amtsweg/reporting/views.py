"""Statistics pages and CSV exports: per authority (its administrators and auditors) and across all
authorities (state-level users, see `services.is_state_level`). Aggregates only, no personal data."""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsweg.accounts.tenancy import authorities_for, forbidden, staff_required
from amtsweg.procedures import registry
from amtsweg.reporting import charts, services
from amtsweg.reporting.services import ALL

MONTH_NAMES = ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]


class BadFilter(ValueError):
    pass


def procedure_label(key: str) -> str:
    if key == ALL:
        return _("alle Verfahren")
    try:
        return str(registry.get(key).title)
    except Exception:  # a procedure that is no longer installed keeps its key
        return key


def _filters(request) -> tuple[int, str]:
    raw_months = request.GET.get("monate", "12").strip() or "12"
    if not raw_months.isdigit() or not 1 <= int(raw_months) <= services.MAX_MONTHS:
        raise BadFilter(
            _("Der Zeitraum muss zwischen 1 und %(max)s Monaten liegen.") % {"max": services.MAX_MONTHS}
        )
    procedure = request.GET.get("verfahren", "").strip()
    if procedure and not registry.is_registered(procedure):
        raise BadFilter(_("Dieses Verfahren ist nicht bekannt."))
    return int(raw_months), procedure


def _month_label(month) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month:%y}"


def _context(report, title, csv_url, months, procedure, *, scope_label):
    labels = [_month_label(m) for m in report.months]
    totals = report.series(procedure or ALL)
    volume = charts.bar_chart(
        "chart-volume",
        _("Eingang, Entscheidungen und Rückstand je Monat"),
        labels,
        [
            charts.Series(_("Eingang"), [c.incoming for _m, c in totals], "incoming"),
            charts.Series(_("entschieden"), [c.decided for _m, c in totals], "decided"),
            charts.Series(_("Rückstand"), [c.backlog for _m, c in totals], "backlog"),
        ],
    )
    duration = charts.bar_chart(
        "chart-duration",
        _("Bearbeitungsdauer in Tagen je Monat (Median und 90. Perzentil)"),
        labels,
        [
            charts.Series(_("Median"), [c.median_days for _m, c in totals], "median"),
            charts.Series(_("90. Perzentil"), [c.p90_days for _m, c in totals], "p90"),
        ],
        unit=" " + _("Tage"),
    )
    groups = [(key, procedure_label(key), [(m, report.cell(key, m)) for m in report.months])
              for key in [*report.procedures, ALL]]  # fmt: skip
    return {
        "title": title,
        "scope_label": scope_label,
        "report": report,
        "volume_chart": volume,
        "duration_chart": duration,
        "groups": groups,
        "totals": totals,
        "months": months,
        "procedure": procedure,
        "procedure_choices": [(p.key, str(p.title)) for p in registry.all_procedures()],
        "csv_url": csv_url,
        "overdue": report.overdue.get(ALL, 0),
        "open": report.backlog_now.get(ALL, 0),
        "month_options": (1, 3, 6, 12, 24),
    }


def _csv_response(report, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # byte-order mark: spreadsheet programs then read UTF-8 correctly
    writer = csv.writer(response, delimiter=";")
    for row in services.csv_rows(report, procedure_label):
        writer.writerow(row)
    return response


def _role_missing(request):
    return forbidden(request, _("Für die Statistik brauchen Sie die Rolle Behördenverwaltung oder Prüfung."))


def _bad_filter(request, exc):
    return render(request, "reporting/bad_filter.html", {"message": str(exc)}, status=400)


@never_cache
@staff_required
@require_GET
def index(request):
    authorities = list(services.report_authorities(request.user).order_by("name"))
    state = services.is_state_level(request.user)
    if not authorities and not state:
        return _role_missing(request)
    return render(request, "reporting/index.html", {"authorities": authorities, "state": state})


class NoReportRole(PermissionError):
    pass


def _authority(request, authority_id):
    if not services.report_authorities(request.user).exists():
        raise NoReportRole
    authority = services.report_authorities(request.user).filter(pk=authority_id).first()
    if authority is None:
        raise Http404("no statistics of this authority for this user")
    return authority


@never_cache
@staff_required
@require_GET
def authority(request, authority_id: int):
    try:
        authority = _authority(request, authority_id)
    except NoReportRole:
        return _role_missing(request)
    try:
        months, procedure = _filters(request)
    except BadFilter as exc:
        return _bad_filter(request, exc)
    report = services.build_report([authority], months=months, procedure=procedure)
    csv_url = reverse("reporting:authority_csv", kwargs={"authority_id": authority.pk})
    context = _context(report, _("Statistik"), csv_url, months, procedure, scope_label=authority.name)
    context["authority"] = authority
    context["is_admin"] = authorities_for(request.user, "authority_admin").filter(pk=authority.pk).exists()
    return render(request, "reporting/report.html", context)


@never_cache
@staff_required
@require_GET
def authority_csv(request, authority_id: int):
    try:
        authority = _authority(request, authority_id)
    except NoReportRole:
        return _role_missing(request)
    try:
        months, procedure = _filters(request)
    except BadFilter as exc:
        return _bad_filter(request, exc)
    report = services.build_report([authority], months=months, procedure=procedure)
    return _csv_response(report, f"statistik-{authority.key}-{report.today:%Y-%m-%d}.csv")


def _state_denied(request):
    return forbidden(
        request,
        _("Die landesweite Statistik sehen nur Beschäftigte einer Landesbehörde mit der Rolle "
          "Behördenverwaltung oder Prüfung."),
    )  # fmt: skip


@never_cache
@staff_required
@require_GET
def state(request):
    if not services.is_state_level(request.user):
        return _state_denied(request)
    try:
        months, procedure = _filters(request)
    except BadFilter as exc:
        return _bad_filter(request, exc)
    report = services.build_report(None, months=months, procedure=procedure, per_authority=True)
    context = _context(
        report, _("Landesweite Statistik"), reverse("reporting:state_csv"), months, procedure,
        scope_label=_("alle Behörden in Sachsen"),
    )  # fmt: skip
    return render(request, "reporting/report.html", context)


@never_cache
@staff_required
@require_GET
def state_csv(request):
    if not services.is_state_level(request.user):
        return _state_denied(request)
    try:
        months, procedure = _filters(request)
    except BadFilter as exc:
        return _bad_filter(request, exc)
    report = services.build_report(None, months=months, procedure=procedure)
    return _csv_response(report, f"statistik-sachsen-{report.today:%Y-%m-%d}.csv")
