"""assisted.filing.file_for_citizen: the engine entry point for filing on behalf of a citizen."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from engine_fixtures import citizen, drain, full_values, small_pdf, staff
from kiosk_helpers import png

from amtsweg.assisted import filing
from amtsweg.assisted.models import AssistedFiling
from amtsweg.cases import services as cases
from amtsweg.cases.models import AuditEvent, Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(world):
    return staff(world.landratsamt, ("assisted_operator",))[0]


def _file(operator, key=None, **overrides):
    args = {
        "operator": operator,
        "identification": "ausweis_gesehen",
        "consent_given": True,
        "signature_png": png(),
        "channel": "terminal",
        "idempotency_key": key or uuid.uuid4(),
        "files": [("ausweis", SimpleUploadedFile("ausweis.pdf", small_pdf(), "application/pdf"))],
    }
    args.update(overrides)
    values = args.pop("values", None) or full_values("test-gewerbe")
    return filing.file_for_citizen("test-gewerbe", values, **args)


def test_files_a_case_for_a_citizen_without_account(world, operator):
    case, created = _file(operator)
    assert created
    assert case.authority == world.stadt  # routed by the procedure like an online application
    assert case.number.startswith("STADT-FREIBERG-")
    assert case.trust_level == "hoch"
    record = case.assisted_filing
    assert record.operator == operator
    assert record.operator_authority == world.landratsamt
    assert record.identification == "ausweis_gesehen"
    assert record.channel == "terminal"
    assert record.consent_given
    assert record.receipt == AssistedFiling.Receipt.PAPER
    # A placeholder applicant: inactive, no password, named after the form.
    assert not case.applicant.is_active
    assert not case.applicant.has_usable_password()
    assert (case.applicant.first_name, case.applicant.last_name) == ("Erika", "Musterfrau")
    # The signature is stored only encrypted for the lead authority.
    assert record.signature_jwe.count(".") == 4
    assert png() not in record.signature_jwe.encode()
    stadt_user = world.stadt_staff[0]
    assert filing.read_signature(record, stadt_user) == png()
    kinds = list(AuditEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert "submitted" in kinds
    assert "assisted_filing" in kinds
    event = AuditEvent.objects.get(case=case, kind="assisted_filing")
    assert event.actor == operator
    assert event.detail["identification"] == "ausweis_gesehen"
    assert case.attachments.count() == 1


def test_same_idempotency_key_never_files_twice(world, operator):
    key = uuid.uuid4()
    first, created = _file(operator, key)
    second, again = _file(operator, key)
    assert created
    assert not again
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert AssistedFiling.objects.count() == 1


def test_receipt_goes_to_the_postbox_of_a_citizen_with_account(world, operator):
    from amtsweg.postbox.models import Delivery

    person = citizen()
    from amtsweg.postbox.services import mailbox_for

    mailbox = mailbox_for(user=person)
    case, _ = _file(operator, citizen_user=person)
    assert case.applicant == person
    expected = (
        AssistedFiling.Receipt.POSTBOX
        if mailbox is not None and mailbox.is_open and mailbox.electronic_access
        else AssistedFiling.Receipt.PAPER
    )
    assert case.assisted_filing.receipt == expected
    drain()
    delivery = Delivery.objects.get(reference=case.reference)
    assert delivery.channel == ("postbox" if expected == "postfach" else "post")


def test_placeholder_citizen_receipt_is_printed(world, operator):
    from amtsweg.postbox.models import Delivery

    case, _ = _file(operator)
    drain()
    delivery = Delivery.objects.get(reference=case.reference)
    assert delivery.channel == "post"
    context = filing.receipt_context(case)
    assert context["filing"].operator == operator


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent_given": False}, "Einwilligung"),
        ({"signature_png": None}, "Unterschrift fehlt"),
        ({"signature_png": b"GIF89a not a png"}, "kein gültiges Bild"),
        ({"identification": "blick"}, "identifiziert"),
        ({"channel": "fax"}, "Unbekannter Weg"),
        ({"idempotency_key": "nicht-uuid"}, "Einreichungsschlüssel"),
    ],
)
def test_refusals_store_nothing(world, operator, overrides, message):
    with pytest.raises(cases.CaseError) as info:
        _file(operator, **overrides)
    assert message in info.value.message
    assert Case.objects.count() == 0
    assert AssistedFiling.objects.count() == 0


def test_values_are_validated_by_the_procedure(world, operator):
    values = full_values("test-gewerbe", taetigkeit="alles", plz="1234")
    with pytest.raises(filing.FilingError) as info:
        _file(operator, values=values)
    assert "taetigkeit" in info.value.errors or "plz" in info.value.errors
    assert Case.objects.count() == 0


def test_missing_required_file_is_refused(world, operator):
    with pytest.raises(filing.FilingError) as info:
        _file(operator, files=[])
    assert "ausweis" in info.value.errors
    assert Case.objects.count() == 0


def test_staff_without_operator_role_is_refused(world):
    case_worker = world.stadt_staff[0]
    with pytest.raises(cases.AccessDenied):
        _file(case_worker)
    assert Case.objects.count() == 0


def test_signature_is_not_readable_by_another_authority(world, operator):
    case, _ = _file(operator)
    with pytest.raises(cases.AccessDenied):
        filing.read_signature(case.assisted_filing, world.lfulg_staff[0])


def test_site_of_another_authority_is_refused(world, operator):
    from kiosk_helpers import make_site

    other_site = make_site(world.stadt)
    with pytest.raises(cases.AccessDenied):
        _file(operator, site=other_site)


def test_a_concurrent_filing_with_the_same_key_rolls_back_and_returns_the_first_case(
    world, operator, monkeypatch
):
    """Simulates the race: the second call does not see the first filing at its start (both started at once),
    so its insert hits the unique key; its whole transaction (placeholder account, draft, case) rolls back."""
    from amtsweg.accounts.models import User

    key = uuid.uuid4()
    first, _ = _file(operator, key)
    users = User.objects.count()
    real = filing._existing
    seen = []

    def blind_first(k):
        seen.append(k)
        return None if len(seen) == 1 else real(k)

    monkeypatch.setattr(filing, "_existing", blind_first)
    second, created = _file(operator, key)
    assert len(seen) == 2  # the unique key was hit and the except branch looked the first filing up
    assert not created
    assert second.pk == first.pk
    assert Case.objects.count() == 1
    assert User.objects.count() == users


def test_demo_loader_registers_a_terminal(world):
    from kiosk_helpers import make_site

    from amtsweg.kiosk.demo import DEMO_TOKEN, load_kiosk
    from amtsweg.kiosk.services import resolve

    make_site(world.landratsamt)
    lines = load_kiosk()
    assert DEMO_TOKEN in lines[0]
    assert load_kiosk() == lines  # idempotent
    terminal, reason = resolve(DEMO_TOKEN)
    assert terminal is not None
    assert reason == ""


def test_records_the_authority_the_operator_files_for(world, operator):
    from amtsweg.accounts.models import StaffMembership

    StaffMembership.objects.create(user=operator, authority=world.stadt, assisted_operator=True)
    case, _created = _file(operator, authority=world.stadt)
    assert case.assisted_filing.operator_authority == world.stadt


def test_refuses_filing_for_an_authority_the_operator_does_not_belong_to(world, operator):
    before = Case.objects.count()
    with pytest.raises(cases.AccessDenied):
        _file(operator, authority=world.stadt)
    assert Case.objects.count() == before
    assert not AssistedFiling.objects.exists()
