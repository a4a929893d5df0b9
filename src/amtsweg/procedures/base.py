"""The procedure plugin API: what an online procedure declares. The case engine (`amtsweg.cases`) executes it.

A procedure is a subclass of `Procedure` with class attributes (key, catalogue service, trust level, who may
file, form steps, fee, payment order, sample-review share, processing time, retention, follow-ups) and a few
override points (cross-field `clean`, `routing`, automatic `checks`, `decides_automatically`,
`automatic_decision`, `decision_data`, `deadlines`). Everything is plain Python and testable without HTTP.
See docs/procedures.md for the whole API and a minimal example.

Rules for procedure authors:
* never store anything yourself: the engine stores (encrypted), audits and delivers;
* `CheckResult.message` and `Decision.summary` are stored unencrypted with the case: no personal data there;
* field names are unique within a procedure (steps and follow-ups share one namespace per submission).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

FIELD_KINDS = (
    "text",  # one line
    "textarea",  # several lines
    "email",
    "phone",
    "date",
    "integer",
    "decimal",
    "choice",  # one of `choices` (radio buttons up to 5 choices, else a select)
    "multichoice",  # any of `choices` (check boxes)
    "boolean",  # one check box ("required" means: must be ticked)
    "postal_code",  # five digits, a Saxon postal code (the finder uses it)
    "file",  # uploads, see `Upload`
)
FILER_KINDS = frozenset({"person", "organisation", "on_behalf"})
OUTCOMES = ("granted", "rejected", "acknowledged", "partly_granted")
PREFILL_ATTRIBUTES = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "birth_date",
        "street_address",
        "postal_code",
        "locality",
        "full_name",
    }
)
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class Upload:
    """Upload rules of a file field. `types` are detected from the content (magic bytes), never from
    the name."""

    max_files: int = 1
    max_bytes: int = 10 * 1024 * 1024
    types: tuple[str, ...] = ("pdf", "jpeg", "png")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: str
    help: str = ""
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    # Callables taking the cleaned value and raising django.core.exceptions.ValidationError (German message).
    validators: tuple[Callable[[Any], None], ...] = ()
    max_length: int = 200
    min_value: Any = None
    max_value: Any = None
    upload: Upload | None = None
    # Attribute of the user's profile that fills the field at the start (see PREFILL_ATTRIBUTES).
    prefill: str = ""
    autocomplete: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    fields: tuple[Field, ...]
    help: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one automatic check. Stored unencrypted with the case: no personal data in `message`."""

    key: str
    passed: bool
    message: str = ""

    def as_dict(self) -> dict:
        return {"key": self.key, "passed": bool(self.passed), "message": str(self.message)[:500]}


@dataclass(frozen=True)
class Route:
    """One authority that receives the submission and works its own part (with its own state and file number).

    `fields`: the field names this authority may read (None = all); the engine encrypts one copy per route.
    """

    authority: Any  # directory.Authority
    label: str = ""
    lead: bool = False
    fields: tuple[str, ...] | None = None
    processing_days: int | None = None


@dataclass(frozen=True)
class FollowUp:
    """A later submission the engine expects (e.g. drilling results within three months after the end).

    The due date is `due_after_days` calendar days after the date in `anchor_field` of the submission (or
    after
    the submission day). `recipients`: route labels that receive it (empty = every routed authority).
    """

    key: str
    title: str
    steps: tuple[Step, ...]
    due_after_days: int
    anchor_field: str = ""
    recipients: tuple[str, ...] = ()
    remind_days_before: int = 14


@dataclass(frozen=True)
class Deadline:
    """A date the engine tracks for a case (shown to staff and citizen; overdue lists)."""

    key: str
    label: str
    due_on: dt.date


@dataclass(frozen=True)
class Decision:
    """What an automatic decision says. `data` fills the decision template (encrypted until it is rendered);
    `summary` is shown to the citizen at once and stored unencrypted (no personal data)."""

    outcome: str
    summary: str = ""
    data: Mapping = field(default_factory=dict)


class Procedure:
    """Base class of every online procedure. Override the attributes and, where needed, the methods."""

    key: str = ""
    service_key: str = ""  # catalogue service (Leistung) the responsibility finder is asked about
    title: str = ""
    intro: str = ""
    trust_level: str = "niedrig"  # niedrig | substanziell | hoch
    filers: frozenset[str] = frozenset({"person"})
    steps: tuple[Step, ...] = ()
    place_field: str = ""  # a postal_code field: where the finder looks for the responsible authority
    fee_variant: str = ""  # variant of the payments fee rule (FeeRule.procedure_key == key)
    has_fee: bool = False
    payment_first: bool = False  # True: the case waits in "payment_pending" until the fee is paid
    sample_review_share: float = 0.0  # share of automatic decisions drawn for human review (0..1)
    processing_days: int | None = None  # processing target in working days (None: no target)
    information_days: int = 14  # default deadline for answers to follow-up questions (calendar days)
    retention_years: int = 10  # the case file is kept this long after closing
    decision_templates: Mapping[str, str] = {
        "granted": "bescheid",
        "rejected": "bescheid",
        "acknowledged": "bescheid",
        "partly_granted": "bescheid",
    }
    receipt_template: str = "eingangsbestaetigung"
    follow_ups: tuple[FollowUp, ...] = ()
    # Extra template included below a step's fields, by step key (e.g. a map that fills coordinate fields).
    step_templates: Mapping[str, str] = {}

    # --- declaration helpers --------------------------------------------------------------------------------

    def all_fields(self) -> list[Field]:
        return [f for step in self.steps for f in step.fields]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.all_fields() if f.name == name), None)

    def follow_up(self, key: str) -> FollowUp | None:
        return next((f for f in self.follow_ups if f.key == key), None)

    def validate_declaration(self) -> None:
        """Called by `register`: refuse inconsistent declarations at start-up, not at the first citizen."""
        if not self.title or not self.steps:
            raise ImproperlyConfigured(f"procedure {self.key}: title and steps are required")
        if not set(self.filers) <= FILER_KINDS or not self.filers:
            raise ImproperlyConfigured(
                f"procedure {self.key}: filers must be a subset of {sorted(FILER_KINDS)}"
            )
        if self.trust_level not in ("niedrig", "substanziell", "hoch"):
            raise ImproperlyConfigured(f"procedure {self.key}: unknown trust level {self.trust_level!r}")
        if not 0 <= float(self.sample_review_share) <= 1:
            raise ImproperlyConfigured(f"procedure {self.key}: sample_review_share must lie between 0 and 1")
        names: set[str] = set()
        step_keys: set[str] = set()
        groups = [self.steps, *[follow_up.steps for follow_up in self.follow_ups]]
        for steps in groups:
            for step in steps:
                if step.key in step_keys or not _NAME.fullmatch(step.key):
                    raise ImproperlyConfigured(
                        f"procedure {self.key}: step key {step.key!r} invalid or repeated"
                    )
                step_keys.add(step.key)
                for item in step.fields:
                    if not _NAME.fullmatch(item.name) or item.name in names:
                        raise ImproperlyConfigured(
                            f"procedure {self.key}: field {item.name!r} invalid or repeated"
                        )
                    names.add(item.name)
                    if item.kind not in FIELD_KINDS:
                        raise ImproperlyConfigured(
                            f"procedure {self.key}: field {item.name}: unknown kind {item.kind}"
                        )
                    if item.kind in ("choice", "multichoice") and not item.choices:
                        raise ImproperlyConfigured(f"procedure {self.key}: field {item.name} needs choices")
                    if item.kind == "file" and item.upload is None:
                        raise ImproperlyConfigured(
                            f"procedure {self.key}: file field {item.name} needs Upload rules"
                        )
                    if item.prefill and item.prefill not in PREFILL_ATTRIBUTES:
                        raise ImproperlyConfigured(f"procedure {self.key}: unknown prefill {item.prefill!r}")
            step_keys.add("__group__" + str(id(steps)))
        if self.place_field:
            place = self.field(self.place_field)
            if place is None or place.kind != "postal_code":
                raise ImproperlyConfigured(f"procedure {self.key}: place_field must name a postal_code field")
        for follow_up in self.follow_ups:
            if (
                follow_up.anchor_field
                and (self.field(follow_up.anchor_field) or Field("", "", "")).kind != "date"
            ):
                raise ImproperlyConfigured(f"procedure {self.key}: follow-up anchor must be a date field")

    # --- override points ------------------------------------------------------------------------------------

    def clean(self, data: Mapping) -> None:
        """Cross-field validation of the whole submission; raise ValidationError({field: message}).

        Called with the data of every step when the citizen reaches the review page and again at submission.
        """

    def place(self, data: Mapping) -> dict:
        """Arguments for the responsibility finder (`catalog.services.find_responsible`)."""
        if self.place_field and data.get(self.place_field):
            return {"postal_code": data[self.place_field]}
        return {}

    def fee_inputs(self, data: Mapping) -> dict:
        """Inputs for the fee rule (e.g. {"quantity": 2}); see payments.fees.compute_fee."""
        return {}

    def fee_variant_for(self, data: Mapping) -> str:
        return self.fee_variant

    def routing(self, case, data: Mapping, lead) -> list[Route]:
        """The authorities that receive the submission. Default: only the responsible authority (`lead`)."""
        return [Route(lead, lead=True)]

    def checks(self, case, data: Mapping) -> list[CheckResult]:
        """Automatic checks run on receipt (in memory, before the data is encrypted)."""
        return []

    def decides_automatically(self, case, check_results: list[CheckResult]) -> bool:
        """Whether the engine may decide at once (§ 35a VwVfG: only where a law allows and no discretion)."""
        return False

    def automatic_decision(self, case, data: Mapping, check_results: list[CheckResult]) -> Decision:
        return Decision(
            "granted",
            summary=str(_("Ihr Antrag wurde automatisch bewilligt.")),
            data=self.decision_data(case, data, "granted"),
        )

    def decision_data(self, case, data: Mapping, outcome: str) -> dict:
        """Placeholders for the decision template (see documents.defaults: betreff, anrede,
        entscheidung, begruendung)."""
        return {
            "betreff": f"{self.title} – {case.number}",
            "anrede": "Guten Tag,",
            "entscheidung": str(_("Ihrem Antrag wird entsprochen."))
            if outcome != "rejected"
            else str(_("Ihr Antrag wird abgelehnt.")),
            "begruendung": str(_("Die Voraussetzungen wurden automatisch geprüft.")),
        }

    def deadlines(self, case, data: Mapping) -> list[Deadline]:
        """Extra dates to track (e.g. "planned start"); follow-ups and processing targets are added by
        the engine."""
        return []

    def derived_rows(self, data: Mapping) -> list[tuple[str, str, str]]:
        """(step key, label, value) rows the platform derives from the input (e.g. the district of a point),
        shown on the review page under that step. Must not raise for incomplete data."""
        return []

    def case_links(self, case) -> list[tuple[str, str]]:
        """(label, URL) links the applicant's case page shows, e.g. to the procedure's own status page."""
        return []

    def submitted(self, case, data: Mapping) -> None:
        """Inside the submission transaction, after numbers are drawn: the procedure's own records (e.g. a
        register entry without personal data). An exception rolls the whole submission back."""

    def summary(self, data: Mapping, fields=None) -> list[tuple[str, str, str]]:
        """(step title, label, display value) rows for the review page and the citizen's copy."""
        from amtsweg.cases.forms import display_value

        rows = []
        wanted = set(fields) if fields is not None else None
        for step in self.steps:
            for item in step.fields:
                if wanted is not None and item.name not in wanted:
                    continue
                rows.append((str(step.title), str(item.label), display_value(item, data.get(item.name))))
        return rows
