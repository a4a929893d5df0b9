"""Test world of the drilling notification: the engine's fictional Mittelsachsen
(tests/procedures/engine_fixtures)
plus the catalogue service, a drilling firm organisation with a member, and the Leipzig water authority (for
tenancy tests). Every person and firm is fictional."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.utils import timezone

from amtsweg.procedures.bohrung.procedure import KEY

# Freiberg, Obermarkt (WGS 84), a 120 m geothermal probe: LfULG, Mittelsachsen and Oberbergamt.
FREIBERG = ("13.3428", "50.9119")
# Mittweida (Mittelsachsen), outside the demo cavity areas.
MITTWEIDA = ("12.9786", "50.9856")


@dataclass
class BohrungWorld:
    base: object
    firm: object
    firm_user: object
    other_citizen: object
    leipzig: object
    leipzig_staff: tuple


def make_bohrung_world(base):
    from engine_fixtures import citizen, staff

    from amtsweg.accounts.models import Organisation, OrganisationMembership
    from amtsweg.catalog.models import Service
    from amtsweg.directory.models import Authority
    from amtsweg.regions.models import District

    Service.objects.create(
        key="bohranzeige",
        name="Bohrung anzeigen (Bohranzeige)",
        level="land",
        short_text="Test.",
        fee_kind="free",
        online_procedure=KEY,
        responsibility={"state_authority": "lfulg"},
    )
    firm = Organisation.objects.create(
        name="Tiefbohr Testfirma GmbH (Demo)", kind=Organisation.Kind.DRILLING_FIRM
    )
    firm_user = citizen(first_name="Bert", last_name="Bohrmeister")
    OrganisationMembership.objects.create(organisation=firm, user=firm_user, role="member")
    leipzig_district = District.objects.create(
        ags="14713",
        name="Leipzig",
        kind=District.Kind.KREISFREIE_STADT,
        nuts3="DED51",
        seat="Leipzig",
        plate="L",
        lat=51.34,
        lon=12.37,
    )
    leipzig = Authority.objects.create(
        key="stadt-leipzig",
        name="Stadt Leipzig",
        level=Authority.Level.KREIS,
        kind=Authority.Kind.STADTVERWALTUNG,
        district=leipzig_district,
    )
    return BohrungWorld(base, firm, firm_user, citizen(), leipzig, staff(leipzig))


@pytest.fixture
def bohrung_world(world):
    return make_bohrung_world(world)


def values(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "anzeigender_name": "Tiefbohr Testfirma GmbH (Demo)",
        "anzeigender_anschrift": "Bohrweg 1, 09599 Freiberg",
        "anzeigender_email": "info@tiefbohr.example",
        "auftraggeber_name": "Erika Musterfrau (Demo)",
        "auftraggeber_anschrift": "Burgstraße 1, 09599 Freiberg",
        "bohrfirma_name": "Tiefbohr Testfirma GmbH (Demo)",
        "bohrfirma_kontakt": "Bert Bohrmeister, 03731 000000",
        "bohrfirma_zertifikat": "DVGW W 120 (Demo)",
        "bezeichnung": "EWS 1",
        "anzahl": 1,
        "zweck": "erdwaermesonde",
        "verfahren": "imloch",
        "beginn": (today + dt.timedelta(days=45)).isoformat(),
        "ende": (today + dt.timedelta(days=47)).isoformat(),
        "frist_bestaetigt": False,
        "koord_system": "wgs84",
        "koord_ost": FREIBERG[0],
        "koord_nord": FREIBERG[1],
        "gemarkung": "Freiberg",
        "flurstueck": "123/4",
        "standort_adresse": "Burgstraße 1, 09599 Freiberg",
        "ansatzhoehe": "400",
        "verlauf": "senkrecht",
        "azimut": None,
        "neigung": None,
        "endtiefe": "120",
        "schichtenprognose": "0–2 m Lehm, darunter Gneis",
        "kerne_lagerung": "",
        "grundwasser": "ja",
        "schutzgebiet": "nein",
        "entnahme": None,
        "ews_leistung": "9",
        "ews_fluid": "Wasser-Glykol (Demo)",
        "ews_verfuellung": "thermisch verbesserte Suspension",
    }
    data.update(overrides)
    return data


def acting_for_firm(bw, level="substanziell"):
    from engine_fixtures import Acting

    return Acting(bw.firm_user, level, organisation=bw.firm)


def submit(bw, user=None, act=None, **overrides):
    from amtsweg.cases import services
    from amtsweg.procedures import registry

    user = user or bw.firm_user
    act = act or acting_for_firm(bw)
    procedure = registry.get(KEY)
    draft = services.start_draft(user, KEY, act)
    data = values(**overrides)
    for index, step in enumerate(procedure.steps):
        cleaned = {f.name: data.get(f.name) for f in step.fields if f.kind != "file"}
        services.save_step_values(draft, index, cleaned, complete=True)
    draft.refresh_from_db()
    services.add_files(draft, "lageplan", [_pdf("lageplan.pdf")])
    draft.refresh_from_db()
    case, _created = services.submit(draft, user, act, uuid.uuid4())
    return case


def review_errors(**overrides) -> dict:
    """{field: [messages]} of the review page for these values (field validators and the procedure's
    clean)."""
    from amtsweg.cases import services
    from amtsweg.procedures import registry

    stored = [
        {"id": "00000000-0000-0000-0000-000000000001", "name": "lageplan.pdf", "size": 1, "type": "pdf"}
    ]
    problems = services.review_errors(registry.get(KEY), {**values(**overrides), "lageplan": stored})
    found = {name: msgs for errors in problems.values() for name, msgs in errors.items()}
    found.pop("lageplan", None)  # no upload in these checks
    return found


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from engine_fixtures import small_pdf

    return SimpleUploadedFile(name, small_pdf("Lageplan (Demo)"), content_type="application/pdf")
