"""Back-office pages of i-Kfz for the registration office: applications whose automatic checks failed, the
sample
review of automatic decisions (§ 23 (3) FZV) and the print and dispatch list. Tenancy comes from the
querysets'
`for_staff(user)` (the engine's and ours): another authority's ids are a 404."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.accounts.services import staff_required
from amtsweg.cases import services as cases
from amtsweg.cases.models import Decision
from amtsweg.procedures import registry
from amtsweg.procedures.kfz.models import DecisionRecord, DispatchItem
from amtsweg.procedures.kfz.procedure import KFZ_KEYS


def _title(key: str) -> str:
    try:
        return str(registry.get(key).title)
    except registry.UnknownProcedure:
        return key


@never_cache
@staff_required(role="case_worker")
@require_GET
def index(request):
    parts = (
        cases.worklist(request.user)
        .filter(case__procedure_key__in=KFZ_KEYS)
        .order_by("case__submitted_at")[:200]
    )
    rows = [
        {
            "part": part,
            "title": _title(part.case.procedure_key),
            "failed": [c for c in part.case.check_results if not c.get("passed")],
        }
        for part in parts
    ]
    return render(
        request,
        "kfz/staff/index.html",
        {
            "rows": rows,
            "samples": cases.sample_review_list(request.user)
            .filter(case__procedure_key__in=KFZ_KEYS)
            .count(),
            "queued": DispatchItem.objects.for_staff(request.user)
            .filter(status=DispatchItem.Status.QUEUED)
            .count(),
        },
    )


@never_cache
@staff_required(role="case_worker")
@require_GET
def samples(request):
    today = timezone.localdate()
    decisions = (
        cases.sample_review_list(request.user)
        .filter(case__procedure_key__in=KFZ_KEYS)
        .order_by("review_due_on", "pk")
    )
    rows = [
        {
            "decision": d,
            "title": _title(d.case.procedure_key),
            "overdue": d.review_due_on is not None and d.review_due_on < today,
        }
        for d in decisions[:500]
    ]
    done = (
        Decision.objects.for_staff(request.user)
        .filter(automatic=True, case__procedure_key__in=KFZ_KEYS, reviewed_at__isnull=False)
        .select_related("case", "reviewed_by")
        .order_by("-reviewed_at")[:50]
    )
    return render(request, "kfz/staff/samples.html", {"rows": rows, "done": done})


@never_cache
@staff_required(role="case_worker")
@require_http_methods(["GET", "POST"])
def sample(request, decision_id):
    decision = get_object_or_404(
        Decision.objects.for_staff(request.user, "case_worker").select_related("case", "part", "reviewed_by"),
        pk=decision_id,
        automatic=True,
        case__procedure_key__in=KFZ_KEYS,
    )
    record = DecisionRecord.objects.for_staff(request.user).filter(case=decision.case).first()
    submission = None
    if request.method == "POST":
        action = request.POST.get("aktion", "")
        if action == "anzeigen":
            try:
                submission = cases.read_submission(
                    decision.case, request.user, _("Stichprobenprüfung einer automatischen Entscheidung")
                )
            except cases.CaseError as exc:
                messages.error(request, exc.message)
        elif action in ("confirmed", "corrected"):
            if not decision.case.sample_review:
                raise Http404
            try:
                cases.complete_sample_review(
                    decision, request.user, action, request.POST.get("vermerk", "")[:500]
                )
            except cases.CaseError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Die Entscheidung ist als richtig bestätigt.")
                    if action == "confirmed"
                    else _("Der Vorgang ist zur Korrektur geöffnet und liegt wieder in der Bearbeitung."),
                )
                return HttpResponseRedirect(reverse("kfz:staff_samples"), status=303)
        else:
            messages.error(request, _("Unbekannte Aktion."))
    rows = []
    if submission and submission.get("submission"):
        procedure = registry.get(decision.case.procedure_key)
        rows = procedure.summary(submission["submission"].get("values", {}))
    return render(
        request,
        "kfz/staff/sample.html",
        {
            "decision": decision,
            "case": decision.case,
            "title": _title(decision.case.procedure_key),
            "record": record,
            "rows": rows,
            "overdue": decision.review_due_on is not None and decision.review_due_on < timezone.localdate(),
        },
    )


@never_cache
@staff_required(role="case_worker")
@require_GET
def dispatch(request):
    status = request.GET.get("stand", DispatchItem.Status.QUEUED)
    if status not in DispatchItem.Status.values:
        status = DispatchItem.Status.QUEUED
    items = (
        DispatchItem.objects.for_staff(request.user)
        .filter(status=status)
        .select_related("case", "authority")[:500]
    )
    counts = dict(
        DispatchItem.objects.for_staff(request.user)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    statuses = [(value, label, counts.get(value, 0)) for value, label in DispatchItem.Status.choices]
    return render(
        request,
        "kfz/staff/dispatch.html",
        {"items": items, "status": status, "statuses": statuses, "today": timezone.localdate()},
    )


NEXT_STATUS = {
    DispatchItem.Status.QUEUED: (DispatchItem.Status.PRINTED, DispatchItem.Status.CANCELLED),
    DispatchItem.Status.PRINTED: (DispatchItem.Status.POSTED, DispatchItem.Status.CANCELLED),
}


@staff_required(role="case_worker")
@require_POST
def dispatch_update(request, pk):
    item = get_object_or_404(DispatchItem.objects.for_staff(request.user, "case_worker"), pk=pk)
    target = request.POST.get("stand", "")
    updated = DispatchItem.objects.filter(
        pk=item.pk, status=item.status, status__in=list(NEXT_STATUS)
    ).filter(status__in=[s for s, targets in NEXT_STATUS.items() if target in targets])
    now = timezone.now()
    fields = {"status": target, "changed_by": request.user}
    if target == DispatchItem.Status.PRINTED:
        fields["printed_at"] = now
    if target == DispatchItem.Status.POSTED:
        fields["posted_at"] = now
    if updated.update(**fields):
        messages.success(
            request, _("Stand geändert: %(status)s.") % {"status": DispatchItem.Status(target).label}
        )
    else:
        messages.error(
            request,
            _("Dieser Schritt ist im Stand „%(status)s“ nicht möglich.")
            % {"status": item.get_status_display()},
        )
    return HttpResponseRedirect(reverse("kfz:staff_dispatch") + f"?stand={item.status}", status=303)
