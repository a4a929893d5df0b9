"""The drilling notification through the case engine: routing to every competent authority, the parts'
decisions, the water authority's silence, results with the layer log, reminders, overdue list, registry and
exports; bad input with clear German messages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from engine_fixtures import drain, staff

from amtsweg.cases import services as cases
from amtsweg.cases.models import AuditEvent, Case, Decision, FollowUpSubmission
from amtsweg.cases.states import State
from amtsweg.procedures.bohrung import services
from amtsweg.procedures.bohrung.models import Bohrung

from .bohrung_factories import MITTWEIDA, review_errors, submit

pytestmark = pytest.mark.django_db


def parts_by_label(case):
    return {p.label: p for p in case.parts.select_related("authority")}


def test_deep_probe_near_freiberg_goes_to_lfulg_water_authority_and_oberbergamt(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    case = submit(bw)
    parts = parts_by_label(case)
    assert set(parts) == {"Geologie", "Wasserrecht", "Bergbau"}
    assert parts["Geologie"].authority == world.lfulg
    assert parts["Geologie"].is_lead
    assert parts["Wasserrecht"].authority == world.landratsamt
    assert parts["Bergbau"].authority == world.oberbergamt
    assert {p.state for p in parts.values()} == {State.IN_REVIEW}
    assert case.organisation == bw.firm
    record = Bohrung.objects.get(case=case)
    assert record.input_crs == "wgs84"
    assert record.epsg == 25833
    assert abs(float(record.easting) - 383498.2) < 1
    assert (record.district_ags, record.municipality) == ("14522", "Freiberg")
    assert record.depth_m == Decimal("120")
    assert record.objection_until > timezone.localdate()
    # Each authority reads its part, and nothing is in clear in the registry row.
    for user, _device in (world.lfulg_staff, world.lra_staff, world.oba_staff):
        opened = services.open_case(case, user, "Prüfung")
        assert opened["values"]["auftraggeber_name"] == "Erika Musterfrau (Demo)"
    row = json.dumps(services.export_row(record), ensure_ascii=False)
    for personal in ("Musterfrau", "Burgstraße", "Bohrmeister", "EWS 1", "123/4", "tiefbohr.example"):
        assert personal not in row


def test_shallow_drilling_outside_cavity_areas_skips_the_oberbergamt(bohrung_world):
    case = submit(bohrung_world, endtiefe="40", koord_ost=MITTWEIDA[0], koord_nord=MITTWEIDA[1])
    assert set(parts_by_label(case)) == {"Geologie", "Wasserrecht"}
    assert Bohrung.objects.get(case=case).municipality == "Mittweida"


def test_shallow_drilling_in_a_cavity_area_goes_to_the_oberbergamt(bohrung_world):
    case = submit(bohrung_world, endtiefe="40")
    assert "Bergbau" in parts_by_label(case)
    assert "Hohlraumgebiet: Altbergbau Freiberg" in json.dumps(case.check_results, ensure_ascii=False)


def test_water_authority_conditions_are_a_sealed_decision_and_the_status_shows_them(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    case = submit(bw)
    lra, _device = world.lra_staff
    decision = services.decide_part(case, lra, "auflagen", "Die Bohrung ist mit Sperrrohr auszuführen.")
    assert decision.outcome == "granted"
    assert decision.part.authority == world.landratsamt
    drain()
    decision.refresh_from_db()
    assert decision.document_id is not None, decision.issue_error
    from amtsweg.documents.models import Document

    document = Document.objects.get(pk=decision.document_id)
    assert document.sealed_at is not None if hasattr(document, "sealed_at") else True
    parts = parts_by_label(case)
    assert parts["Wasserrecht"].state in (State.DELIVERED, State.FOLLOW_UP_PENDING)
    assert parts["Geologie"].state == State.IN_REVIEW  # the other parts are untouched
    rows = {r["label"]: r for r in services.status_rows(case)}
    assert "Auflagen" in rows["Wasserrecht"]["decision"]


def test_stop_order_and_who_may_decide(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    case = submit(bw)
    lfulg, _d = world.lfulg_staff
    with pytest.raises(cases.CaseError, match="Wasserbehörde oder das Oberbergamt"):
        services.decide_part(case, lfulg, "auflagen", "x")
    lra, _d = world.lra_staff
    with pytest.raises(cases.CaseError, match="Auflagen oder Untersagung"):
        services.decide_part(case, lra, "genehmigt", "x")
    with pytest.raises(cases.CaseError, match="Begründung"):
        services.decide_part(case, lra, "untersagung", "   ")
    other, _d = bw.leipzig_staff
    with pytest.raises(cases.AccessDenied):
        services.decide_part(case, other, "untersagung", "Nicht zuständig.")
    decision = services.decide_part(case, lra, "untersagung", "Wasserschutzgebiet Zone II.")
    assert decision.outcome == "rejected"
    with pytest.raises(cases.CaseError, match="bereits entschieden"):
        services.decide_part(case, lra, "auflagen", "Nachträglich.")


def test_silence_after_the_month_means_no_objection(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    case = submit(bw)
    record = Bohrung.objects.get(case=case)
    after = record.objection_until + dt.timedelta(days=1)
    rows = {r["label"]: r for r in services.status_rows(case, today=record.objection_until)}
    assert "Einspruchsfrist bis" in rows["Wasserrecht"]["status"]
    rows = {r["label"]: r for r in services.status_rows(case, today=after)}
    assert rows["Wasserrecht"]["status"].startswith("keine Einwände")
    assert services.record_silence(today=record.objection_until) == 0
    assert services.record_silence(today=after) == 1
    assert services.record_silence(today=after) == 0  # once
    assert AuditEvent.objects.filter(case=case, kind="keine_einwaende").count() == 1
    # After the month the water authority can no longer object.
    Bohrung.objects.filter(pk=record.pk).update(objection_until=timezone.localdate() - dt.timedelta(days=1))
    lra, _d = world.lra_staff
    with pytest.raises(cases.CaseError, match="Einspruchsfrist"):
        services.decide_part(case, lra, "auflagen", "Zu spät.")


class _Post(dict):
    def getlist(self, key):
        return []


def layer_post(**extra):
    post = _Post(
        {
            "ist_endtiefe": "120",
            "ausbau": "Doppel-U-Sonde, verfüllt 0–120 m mit Suspension (Demo).",
            "schicht-0-von": "0",
            "schicht-0-bis": "2,5",
            "schicht-0-beschreibung": "Lehm, braun",
            "schicht-1-von": "2.5",
            "schicht-1-bis": "120",
            "schicht-1-beschreibung": "Gneis, grau",
            "schicht-1-grundwasser": "on",
        }
    )
    post.update(extra)
    return post


def test_results_layer_log_then_lfulg_closes(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    case = submit(bw)
    expected = FollowUpSubmission.objects.get(case=case, key="ergebnisse")
    record = Bohrung.objects.get(case=case)
    assert expected.due_on == record.planned_end + dt.timedelta(days=92)
    lfulg, _d = world.lfulg_staff
    with pytest.raises(cases.CaseError, match="noch nicht vor"):
        services.close_part(case, lfulg)
    services.expect_results(case, lfulg)
    assert parts_by_label(case)["Geologie"].state == State.FOLLOW_UP_PENDING
    services.submit_results(case, bw.firm_user, layer_post(), _Post(), 8)
    assert parts_by_label(case)["Geologie"].state == State.IN_REVIEW
    opened = services.open_case(case, lfulg, "Ergebnisse prüfen")
    rows = opened["results"][0]["rows"]
    assert [(r["von"], r["bis"], r["grundwasser"]) for r in rows] == [
        ("0", "2.5", False),
        ("2.5", "120", True),
    ]
    services.close_part(case, lfulg)
    assert parts_by_label(case)["Geologie"].state == State.CLOSED
    with pytest.raises(cases.CaseError, match="bereits eingegangen"):
        services.submit_results(case, bw.firm_user, layer_post(), _Post(), 8)


@pytest.mark.parametrize(
    ("extra", "where", "text"),
    [
        ({"schicht-1-bis": "1"}, 1, "tiefer liegen"),  # bottom above top
        ({"schicht-1-von": "1"}, 1, "überschneidet"),  # overlaps the layer above
        ({"schicht-1-bis": "150"}, 1, "Endtiefe"),  # deeper than the depth reached
        ({"schicht-0-beschreibung": ""}, 0, "Beschreibung"),
        ({"schicht-0-von": "abc"}, 0, "als Zahl"),
    ],
)
def test_impossible_layers_are_refused(bohrung_world, extra, where, text):
    case = submit(bohrung_world)
    with pytest.raises(cases.CaseError) as info:
        services.submit_results(case, bohrung_world.firm_user, layer_post(**extra), _Post(), 8)
    assert text in info.value.errors["rows"][where]
    assert FollowUpSubmission.objects.get(case=case).received_at is None


def test_results_need_a_depth_completion_and_a_layer_log(bohrung_world):
    case = submit(bohrung_world)
    post = _Post({"ist_endtiefe": "-3", "ausbau": ""})
    with pytest.raises(cases.CaseError) as info:
        services.submit_results(case, bohrung_world.firm_user, post, _Post(), 8)
    assert set(info.value.errors) >= {"ist_endtiefe", "ausbau", "schichten"}


def test_results_for_someone_elses_drilling_are_refused(bohrung_world):
    case = submit(bohrung_world)
    with pytest.raises(cases.AccessDenied, match="nicht zu Ihrem Konto"):
        services.submit_results(case, bohrung_world.other_citizen, layer_post(), _Post(), 8)
    with pytest.raises(cases.AccessDenied):
        cases.submit_follow_up(case, bohrung_world.other_citizen, "ergebnisse", {"ist_endtiefe": "1"})
    assert FollowUpSubmission.objects.get(case=case).received_at is None


def test_reminder_before_the_deadline_and_overdue_list_for_lfulg(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    case = submit(bw)
    expected = FollowUpSubmission.objects.get(case=case)
    assert cases.remind_follow_ups(today=expected.due_on - dt.timedelta(days=15)) == 0
    assert cases.remind_follow_ups(today=expected.due_on - dt.timedelta(days=14)) == 1
    assert AuditEvent.objects.filter(case=case, kind="follow_up_reminded").exists()
    lfulg, _d = world.lfulg_staff
    late = expected.due_on + dt.timedelta(days=1)
    assert list(services.overdue_results(lfulg, today=expected.due_on)) == []
    assert [f.case for f in services.overdue_results(lfulg, today=late)] == [case]
    other, _d = bw.leipzig_staff
    assert list(services.overdue_results(other, today=late)) == []


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"koord_ost": "11.0", "koord_nord": "50.0"}, "koord_ost", "nicht in Sachsen"),
        ({"koord_ost": "50.9119", "koord_nord": "13.3428"}, "koord_ost", "vertauscht"),
        ({"endtiefe": "0"}, "endtiefe", ""),
        ({"endtiefe": "20000"}, "endtiefe", ""),
        ({"zweck": "baugrund", "endtiefe": "900", "ews_leistung": None}, "endtiefe", "300 m"),
        ({"verlauf": "schraeg", "azimut": "45", "neigung": None}, "neigung", "zwischen 0 und 90"),
        ({"verlauf": "schraeg", "azimut": "45", "neigung": "90"}, "neigung", "senkrecht"),
        ({"verlauf": "schraeg", "azimut": "400", "neigung": "60"}, "azimut", ""),
        ({"ende": (timezone.localdate() + dt.timedelta(days=40)).isoformat()}, "ende", "vor dem Beginn"),
        ({"beginn": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}, "beginn", "Vergangenheit"),
        ({"ews_leistung": None}, "ews_leistung", "Heizleistung"),
        ({"ansatzhoehe": "5000"}, "ansatzhoehe", ""),
    ],
)
def test_bad_input_gets_clear_messages(bohrung_world, overrides, field, text):
    errors = review_errors(**overrides)
    assert field in errors, errors
    assert text in " ".join(str(m) for m in errors[field])


def test_short_lead_time_needs_confirmation(bohrung_world):
    soon = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    later = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    errors = review_errors(beginn=soon, ende=later)
    message = " ".join(errors["frist_bestaetigt"])
    assert "zwei Wochen" in message
    assert "einen Monat" in message
    errors = review_errors(beginn=later, ende=later)
    message = " ".join(errors["frist_bestaetigt"])
    assert "zwei Wochen" not in message
    assert "einen Monat" in message
    assert review_errors(beginn=soon, ende=later, frist_bestaetigt=True) == {}
    case = submit(bohrung_world, beginn=soon, ende=later, frist_bestaetigt=True)
    checks = {c["key"]: c["passed"] for c in case.check_results}
    assert checks == {"frist_geologie": False, "frist_wasser": False, "bergbau": False}


def test_registry_filters_tenancy_and_exports(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    deep = submit(bw)
    shallow = submit(bw, endtiefe="40", zweck="brunnen", koord_ost=MITTWEIDA[0], koord_nord=MITTWEIDA[1])
    lfulg, _d = world.lfulg_staff
    everything, _f, errors = services.registry(lfulg, {})
    assert not errors
    assert set(everything) == {deep.bohrung, shallow.bohrung}
    by_purpose, _f, _e = services.registry(lfulg, {"zweck": "brunnen"})
    assert list(by_purpose) == [shallow.bohrung]
    by_depth, _f, _e = services.registry(lfulg, {"tiefe_von": "100"})
    assert list(by_depth) == [deep.bohrung]
    by_district, _f, _e = services.registry(lfulg, {"kreis": "14522"})
    assert by_district.count() == 2
    pending, _f, _e = services.registry(lfulg, {"status": "ergebnisse"})
    assert pending.count() == 2
    _qs, _f, errors = services.registry(
        lfulg, {"kreis": "99999", "zweck": "x", "tiefe_von": "tief", "status": "y"}
    )
    assert len(errors) == 4
    # The Oberbergamt received only the deep drilling; Leipzig's water authority received none.
    oba, _d = world.oba_staff
    assert list(services.registry(oba, {})[0]) == [deep.bohrung]
    other, _d = bw.leipzig_staff
    assert list(services.registry(other, {})[0]) == []
    # Exports carry no personal data.
    data = services.geojson(everything)
    assert len(data["features"]) == 2
    text = json.dumps(data, ensure_ascii=False) + services.csv_text(everything)
    for personal in ("Musterfrau", "Burgstraße", "Bohrmeister", "EWS 1", "123/4", "tiefbohr"):
        assert personal not in text
    rows = list(csv.DictReader(io.StringIO(services.csv_text(everything)), delimiter=";"))
    assert {r["aktenzeichen"] for r in rows} == {deep.number, shallow.number}
    assert {r["epsg"] for r in rows} == {"25833"}


def test_routing_fails_clearly_without_a_water_authority(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    world.landratsamt.district = None
    world.landratsamt.save()
    with pytest.raises(cases.CaseError, match="keine untere Wasserbehörde"):
        submit(bw)
    assert not Case.objects.exists()


def test_a_new_staff_member_of_another_authority_sees_nothing(bohrung_world):
    case = submit(bohrung_world)
    user, _d = staff(bohrung_world.leipzig)
    assert services.staff_part(user, case.public_id) is None
    assert not Decision.objects.for_staff(user).exists()
