"""The five i-Kfz procedures (FZV 2023 §§ 18–38) as declarations for the case engine.

The citizen fills them in the i-Kfz dialogue (`views.py`, `dialogue.py`), not in the engine's generic form:
the
portal must check the security codes against the register while the citizen types (three corrections, then
abort), and the fee is paid **before** the application is submitted (§ 20 (5) FZV). When the fee is paid, the
dialogue hands the (code-free) data to the engine as a normal submission; the engine runs `checks`, decides
automatically (§ 35a VwVfG) when every check passed, and otherwise puts the case in a case worker's list with
the
failed checks. The last automatic check is the register change itself (see `kfz/checks.py`).

Fees: `has_fee` is off for the engine because the dialogue has already charged the fee through the payments
app
(reference "kfz:<dialogue>"); the engine must not ask for it a second time.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amtsweg.procedures.base import CheckResult, Decision, Field, Procedure, Step
from amtsweg.procedures.registry import register
from amtsweg.vehicle_register import codes as code_kinds

PLATE_CHOICES_KEEP = (
    ("behalten", _("bisheriges Kennzeichen behalten")),
    ("neu", _("neues Kennzeichen, zufällig zugeteilt")),
    ("wunsch", _("Wunschkennzeichen (10,20 € zusätzlich)")),
)
PLATE_CHOICES_NEW = (
    ("neu", _("neues Kennzeichen, zufällig zugeteilt")),
    ("wunsch", _("Wunschkennzeichen (10,20 € zusätzlich)")),
)
PLATE_CHOICES_REREG = (
    ("reserviert", _("mein reserviertes Kennzeichen")),
    ("neu", _("neues Kennzeichen, zufällig zugeteilt")),
    ("wunsch", _("Wunschkennzeichen (10,20 € zusätzlich)")),
)


def _vehicle_step(*, vin_only: bool = False, zb2_number: bool = False) -> Step:
    fields = []
    if not vin_only:
        fields.append(Field("kennzeichen", "text", _("Kennzeichen"), max_length=12))
    fields.append(Field("fin", "text", _("Fahrzeug-Identifizierungsnummer (FIN)"), max_length=17))
    if zb2_number:
        fields.append(
            Field("zb2_nummer", "text", _("Nummer der Zulassungsbescheinigung Teil II"), max_length=20)
        )
    return Step("fahrzeug", _("Fahrzeug"), tuple(fields))


ADDRESS = (
    Field(
        "strasse",
        "text",
        _("Straße und Hausnummer"),
        prefill="street_address",
        autocomplete="street-address",
        max_length=120,
    ),
    Field("plz", "postal_code", _("Postleitzahl"), prefill="postal_code"),
    Field("ort", "text", _("Ort"), prefill="locality", autocomplete="address-level2", max_length=80),
)
WISH = Field(
    "wunschkennzeichen",
    "text",
    _("Wunschkennzeichen"),
    required=False,
    max_length=12,
    help=_(
        "Nur bei „Wunschkennzeichen“: zum Beispiel „ERZ-AB 123“. Es muss mit dem Kürzel Ihres "
        "Zulassungsbezirks beginnen."
    ),
)
INSURANCE_AND_TAX = (
    Field(
        "evb",
        "text",
        _("eVB-Nummer (Versicherungsbestätigung)"),
        max_length=7,
        help=_("Sieben Zeichen; Sie erhalten sie von Ihrer Kfz-Versicherung."),
    ),
    Field(
        "iban",
        "text",
        _("IBAN für die Kraftfahrzeugsteuer (SEPA-Lastschriftmandat)"),
        max_length=42,
        autocomplete="off",
    ),
    Field("kontoinhaber", "text", _("Kontoinhaberin oder Kontoinhaber"), prefill="full_name", max_length=70),
)
ANTRAG = Step(
    "antrag",
    _("Online-Antrag"),
    (
        Field("dialog", "text", _("Kennung des Online-Antrags"), max_length=40),
        Field("bezirk", "text", _("Zulassungsbezirk (Kreisschlüssel)"), max_length=5),
    ),
)


class KfzProcedure(Procedure):
    """What the five i-Kfz procedures share. Subclasses set the class attributes below."""

    filers = frozenset({"person"})
    has_fee = False  # charged by the dialogue before submission (§ 20 (5) FZV)
    payment_first = False
    processing_days = 3  # when a case worker has to decide
    retention_years = 10
    identify_by = "plate"  # "plate" | "vin"
    code_kinds: tuple[str, ...] = ()
    allowed_states: tuple[str, ...] = ("registered",)
    register_action = ""
    issues_proof = False  # provisional registration proof (§ 32 FZV)
    details_fields: tuple[Field, ...] = ()
    done_text = ""  # summary shown at once (no personal data)

    @property
    def sample_review_share(self) -> float:  # type: ignore[override]
        return float(getattr(settings, "KFZ_SAMPLE_REVIEW_SHARE", 0.1))

    def place(self, data):
        return {"ags": data.get("bezirk") or ""}

    def checks(self, case, data) -> list[CheckResult]:
        from amtsweg.procedures.kfz.checks import submission_checks

        return submission_checks(self, case, data)

    def decides_automatically(self, case, check_results) -> bool:
        keys = {r.key for r in check_results}
        return bool(check_results) and "register" in keys and all(r.passed for r in check_results)

    def automatic_decision(self, case, data, check_results) -> Decision:
        from amtsweg.procedures.kfz.texts import decision_texts

        # `checks` left what the register did on the (unsaved) case object the engine passes to both.
        done = getattr(case, "_kfz_register", {}) or {}
        return Decision(
            "granted",
            summary=str(self.done_text),
            data=decision_texts(self, data, done, getattr(case, "_kfz_fee_cents", None)),
        )

    def decision_data(self, case, data, outcome) -> dict:
        from amtsweg.procedures.kfz.texts import manual_decision_texts

        return manual_decision_texts(self, case, outcome)


@register
class Ausserbetriebsetzung(KfzProcedure):
    key = "kfz-ausserbetriebsetzung"
    service_key = "fahrzeug-ausser-betrieb"
    title = _("Fahrzeug außer Betrieb setzen (online)")
    intro = _(
        "Mit den Sicherheitscodes der Zulassungsbescheinigung Teil I und der beiden Stempelplaketten setzen "
        "Sie Ihr "
        "Fahrzeug online außer Betrieb – ohne Ausweis (§ 24 FZV). Auf Wunsch reservieren wir das "
        "Kennzeichen bis zu "
        "zwölf Monate. Gebühr: 2,10 €, mit Reservierung 4,70 €."
    )
    trust_level = "niedrig"  # § 24 (4) FZV: no identification needed when the codes are given
    code_kinds = (code_kinds.ZB1, code_kinds.SEAL_FRONT, code_kinds.SEAL_REAR)
    register_action = "deregister"
    done_text = _("Ihr Fahrzeug ist außer Betrieb gesetzt. Der Bescheid wurde automatisch erlassen.")
    details_fields = (
        Field(
            "reservieren",
            "boolean",
            _("Kennzeichen reservieren (2,60 €)"),
            required=False,
            help=_("Dann können nur Sie es bei einer Wiederzulassung erneut bekommen."),
        ),
        Field(
            "reservierung_monate",
            "integer",
            _("Reservierung für Monate"),
            required=False,
            min_value=1,
            max_value=12,
            help=_("1 bis 12 Monate"),
        ),
    )
    steps = (_vehicle_step(), Step("angaben", _("Reservierung"), details_fields), ANTRAG)


@register
class Wiederzulassung(KfzProcedure):
    key = "kfz-wiederzulassung"
    service_key = "fahrzeug-wiederzulassen"
    title = _("Fahrzeug wieder zulassen (online)")
    intro = _(
        "Ein außer Betrieb gesetztes Fahrzeug lassen Sie online wieder auf sich zu, wenn Sie schon vorher "
        "Halterin "
        "oder Halter waren und die Außerbetriebsetzung weniger als sieben Jahre zurückliegt (§ 29 FZV). Sie "
        "brauchen "
        "den Sicherheitscode der Zulassungsbescheinigung Teil II, eine eVB-Nummer und eine IBAN für die "
        "Kfz-Steuer."
    )
    trust_level = "substanziell"  # § 20 FZV
    identify_by = "vin"
    code_kinds = (code_kinds.ZB2,)
    allowed_states = ("deregistered",)
    register_action = "register"
    issues_proof = True
    done_text = _("Ihr Fahrzeug ist wieder zugelassen. Der Bescheid wurde automatisch erlassen.")
    details_fields = (
        *ADDRESS,
        Field("kennzeichen_wahl", "choice", _("Kennzeichen"), choices=PLATE_CHOICES_REREG),
        WISH,
        *INSURANCE_AND_TAX,
    )
    steps = (
        _vehicle_step(vin_only=True),
        Step("angaben", _("Halter, Kennzeichen, Versicherung"), details_fields),
        ANTRAG,
    )


@register
class Umschreibung(KfzProcedure):
    key = "kfz-umschreibung"
    service_key = "fahrzeug-umschreiben"
    title = _("Fahrzeug umschreiben – Halterwechsel (online)")
    intro = _(
        "Sie haben ein zugelassenes Fahrzeug gekauft, geerbt oder geschenkt bekommen? Mit den "
        "Sicherheitscodes der "
        "Zulassungsbescheinigungen Teil I und Teil II schreiben Sie es online auf sich um, mit bisherigem "
        "oder neuem "
        "Kennzeichen, auch aus einem anderen Zulassungsbezirk (§ 30 FZV)."
    )
    trust_level = "substanziell"
    code_kinds = (code_kinds.ZB1, code_kinds.ZB2)
    register_action = "change_holder"
    issues_proof = True
    done_text = _("Das Fahrzeug ist auf Sie umgeschrieben. Der Bescheid wurde automatisch erlassen.")
    details_fields = (
        *ADDRESS,
        Field("kennzeichen_wahl", "choice", _("Kennzeichen"), choices=PLATE_CHOICES_KEEP),
        WISH,
        *INSURANCE_AND_TAX,
    )
    steps = (
        _vehicle_step(),
        Step("angaben", _("Neuer Halter, Kennzeichen, Versicherung"), details_fields),
        ANTRAG,
    )


@register
class Adressaenderung(KfzProcedure):
    key = "kfz-adressaenderung"
    service_key = "fahrzeug-adressaenderung"
    title = _("Anschrift in den Fahrzeugpapieren ändern (online)")
    intro = _(
        "Nach einem Umzug tragen Sie Ihre neue Anschrift online ein (§ 30 FZV). Ziehen Sie in einen anderen "
        "Zulassungsbezirk, können Sie Ihr Kennzeichen behalten. Sie brauchen die Sicherheitscodes der "
        "Zulassungsbescheinigungen Teil I und Teil II."
    )
    trust_level = "substanziell"
    code_kinds = (code_kinds.ZB1, code_kinds.ZB2)
    register_action = "change_address"
    issues_proof = True
    done_text = _("Ihre neue Anschrift ist eingetragen. Der Bescheid wurde automatisch erlassen.")
    details_fields = (
        *ADDRESS,
        Field("kennzeichen_wahl", "choice", _("Kennzeichen"), choices=PLATE_CHOICES_KEEP),
        WISH,
    )
    steps = (_vehicle_step(), Step("angaben", _("Neue Anschrift"), details_fields), ANTRAG)


@register
class Neuzulassung(KfzProcedure):
    key = "kfz-neuzulassung"
    service_key = "fahrzeug-zulassen"
    title = _("Neues Fahrzeug zulassen (online)")
    intro = _(
        "Ein fabrikneues Fahrzeug lassen Sie online auf sich zu (§ 27 FZV). Sie brauchen die "
        "Zulassungsbescheinigung "
        "Teil II mit ihrem Sicherheitscode, eine eVB-Nummer und eine IBAN für die Kfz-Steuer."
    )
    trust_level = "substanziell"
    identify_by = "vin"
    code_kinds = (code_kinds.ZB2,)
    allowed_states = ("new",)
    register_action = "register"
    issues_proof = True
    done_text = _("Ihr Fahrzeug ist zugelassen. Der Bescheid wurde automatisch erlassen.")
    details_fields = (
        *ADDRESS,
        Field("kennzeichen_wahl", "choice", _("Kennzeichen"), choices=PLATE_CHOICES_NEW),
        WISH,
        *INSURANCE_AND_TAX,
    )
    steps = (
        _vehicle_step(vin_only=True, zb2_number=True),
        Step("angaben", _("Halter, Kennzeichen, Versicherung"), details_fields),
        ANTRAG,
    )


KFZ_KEYS = (
    "kfz-ausserbetriebsetzung",
    "kfz-wiederzulassung",
    "kfz-umschreibung",
    "kfz-adressaenderung",
    "kfz-neuzulassung",
)
