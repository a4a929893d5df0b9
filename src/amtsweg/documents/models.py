"""Documents: versioned templates, Rechtsbehelfsbelehrungen, seal certificates and the issued-document
register.

A template version that has been used for a document is frozen: changes need a new version, so every issued
document can be traced to the exact text it was made from.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.documents import templating


def _check_template_text(text: str, field: str) -> None:
    try:
        templating.parse(text)
    except templating.TemplateSyntaxError as exc:
        raise ValidationError({field: str(exc)}) from exc


class TemplateQuerySet(models.QuerySet):
    def matching(self, *, procedure: str, authority):
        """Active versions that apply, most specific first (procedure+authority, procedure, authority)."""
        return (
            self.filter(is_active=True)
            .filter(Q(procedure=procedure) | Q(procedure=""))
            .filter(Q(authority=authority) | Q(authority__isnull=True))
            .annotate(
                specificity=models.Case(
                    models.When(~Q(procedure="") & Q(authority__isnull=False), then=3),
                    models.When(~Q(procedure=""), then=2),
                    models.When(authority__isnull=False, then=1),
                    default=0,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("-specificity", "-version")
        )


class FrozenWhenUsedMixin:
    """A version that an issued document refers to can no longer be changed."""

    frozen_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        if self.pk and self.documents.exists():
            stored = type(self).objects.filter(pk=self.pk).values(*self.frozen_fields).first() or {}
            changed = [name for name in self.frozen_fields if stored.get(name) != getattr(self, name)]
            if changed:
                raise ValidationError(
                    _(
                        "Diese Version wurde bereits für Dokumente verwendet und kann nicht mehr geändert "
                        "werden. Legen Sie eine neue Version an."
                    )
                )
        self.full_clean()
        super().save(*args, **kwargs)


class DocumentTemplate(FrozenWhenUsedMixin, models.Model):
    """The body of a document type for a procedure and authority (both optional = applies to all)."""

    class Closing(models.TextChoices):
        AUTOMATED = "automated", _("maschinell erstellt (§ 37 Abs. 5 VwVfG, ohne Unterschrift)")
        OFFICIAL = "official", _("Name der/des Bediensteten (Im Auftrag)")

    doc_type = models.SlugField(
        _("Dokumentart"), max_length=50, help_text=_("z. B. bescheid, gebuehrenbescheid")
    )
    procedure = models.SlugField(
        _("Verfahren"), max_length=100, blank=True, help_text=_("leer = alle Verfahren")
    )
    authority = models.ForeignKey(
        "directory.Authority",
        verbose_name=_("Behörde"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document_templates",
        help_text=_("leer = alle Behörden"),
    )
    version = models.PositiveIntegerField(_("Version"), default=1)
    title = models.CharField(_("Betreff"), max_length=300, help_text=_("Platzhalter erlaubt"))
    body = models.TextField(
        _("Text"), help_text=_("Platzhalter {{ name }}, Absätze, # Überschrift, - Punkt, **fett**")
    )
    closing = models.CharField(
        _("Abschluss"), max_length=20, choices=Closing.choices, default=Closing.AUTOMATED
    )
    with_remedy = models.BooleanField(_("mit Rechtsbehelfsbelehrung"), default=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now)

    objects = TemplateQuerySet.as_manager()
    frozen_fields = (
        "doc_type",
        "procedure",
        "authority_id",
        "version",
        "title",
        "body",
        "closing",
        "with_remedy",
    )

    class Meta:
        verbose_name = _("Dokumentvorlage")
        verbose_name_plural = _("Dokumentvorlagen")
        ordering = ["doc_type", "procedure", "authority_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "procedure", "authority", "version"],
                condition=Q(authority__isnull=False),
                name="documents_template_version_uniq",
            ),
            models.UniqueConstraint(
                fields=["doc_type", "procedure", "version"],
                condition=Q(authority__isnull=True),
                name="documents_template_general_version_uniq",
            ),
        ]

    def __str__(self):
        scope = " / ".join(filter(None, [self.procedure, str(self.authority or "")])) or _("allgemein")
        return f"{self.doc_type} ({scope}) v{self.version}"

    def clean(self):
        super().clean()
        _check_template_text(self.title, "title")
        _check_template_text(self.body, "body")
        if len(templating.parse(self.title)) != 1 or templating.parse(self.title)[0].kind != "p":
            raise ValidationError({"title": _("Der Betreff muss aus einer Zeile Text bestehen.")})


class RemedyTemplate(FrozenWhenUsedMixin, models.Model):
    """Rechtsbehelfsbelehrung per procedure and authority (§ 37 Abs. 6 VwVfG, §§ 58, 70 VwGO)."""

    class Remedy(models.TextChoices):
        OBJECTION = "widerspruch", _("Widerspruch")
        ACTION = "klage", _("Klage beim Verwaltungsgericht")

    procedure = models.SlugField(
        _("Verfahren"), max_length=100, blank=True, help_text=_("leer = alle Verfahren")
    )
    authority = models.ForeignKey(
        "directory.Authority",
        verbose_name=_("Behörde"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remedy_templates",
        help_text=_("leer = alle Behörden"),
    )
    version = models.PositiveIntegerField(_("Version"), default=1)
    remedy = models.CharField(
        _("Rechtsbehelf"), max_length=20, choices=Remedy.choices, default=Remedy.OBJECTION
    )
    deciding_body = models.CharField(
        _("Widerspruchsbehörde bzw. Gericht"),
        max_length=300,
        blank=True,
        help_text=_("leer = die erlassende Behörde (Selbstverwaltungsangelegenheit, § 73 Abs. 1 Nr. 3 VwGO)"),
    )
    deciding_body_address = models.CharField(_("Anschrift (Sitz)"), max_length=300, blank=True)
    text = models.TextField(
        _("Text"),
        help_text=_(
            "Platzhalter: {{ behoerde.name }}, {{ behoerde.anschrift }}, {{ stelle.name }}, "
            "{{ stelle.anschrift }}"
        ),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now)

    objects = TemplateQuerySet.as_manager()
    frozen_fields = (
        "procedure",
        "authority_id",
        "version",
        "remedy",
        "deciding_body",
        "deciding_body_address",
        "text",
    )

    # What every Rechtsbehelfsbelehrung has to say (domain.md § 5); checked when a version is saved.
    REQUIRED_PHRASES = (
        ("Monat", _("die Frist (ein Monat nach Bekanntgabe)")),
        ("Bekanntgabe", _("den Fristbeginn (Bekanntgabe)")),
        ("schriftlich", _("die Schriftform")),
        ("§ 3a Abs. 2", _("die elektronische Form nach § 3a Abs. 2 VwVfG")),
        ("§ 3a Abs. 3", _("die schriftformersetzenden Verfahren nach § 3a Abs. 3 VwVfG")),
        ("§ 9a Abs. 5", _("die Übermittlung nach § 9a Abs. 5 OZG")),
    )

    class Meta:
        verbose_name = _("Rechtsbehelfsbelehrung")
        verbose_name_plural = _("Rechtsbehelfsbelehrungen")
        ordering = ["procedure", "authority_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "authority", "version"],
                condition=Q(authority__isnull=False),
                name="documents_remedy_version_uniq",
            ),
            models.UniqueConstraint(
                fields=["procedure", "version"],
                condition=Q(authority__isnull=True),
                name="documents_remedy_general_version_uniq",
            ),
        ]

    def __str__(self):
        scope = " / ".join(filter(None, [self.procedure, str(self.authority or "")])) or _("allgemein")
        return f"{self.get_remedy_display()} ({scope}) v{self.version}"

    def clean(self):
        super().clean()
        _check_template_text(self.text, "text")
        plain = " ".join(self.text.split())
        missing = [str(label) for phrase, label in self.REQUIRED_PHRASES if phrase not in plain]
        if self.remedy == self.Remedy.OBJECTION and "Widerspruch" not in plain:
            missing.append(str(_("den Rechtsbehelf (Widerspruch)")))
        if self.remedy == self.Remedy.ACTION and "Klage" not in plain:
            missing.append(str(_("den Rechtsbehelf (Klage)")))
        if "behoerde.name" not in self.text and "stelle.name" not in self.text:
            missing.append(
                str(_("die Behörde, bei der der Rechtsbehelf einzulegen ist ({{ behoerde.name }})"))
            )
        if missing:
            raise ValidationError({"text": _("Der Rechtsbehelfsbelehrung fehlt: %s.") % "; ".join(missing)})


class SealCertificate(models.Model):
    """An authority's certificate for its electronic seal; the private key is in the PKI folder, not here."""

    class Source(models.TextChoices):
        PLATFORM_CA = "platform_ca", _("von der Plattform-CA ausgestellt")
        PKCS12 = "pkcs12", _("importiert (PKCS#12)")

    authority = models.ForeignKey(
        "directory.Authority",
        verbose_name=_("Behörde"),
        on_delete=models.PROTECT,
        related_name="seal_certificates",
    )
    subject = models.CharField(_("Inhaber"), max_length=500)
    issuer = models.CharField(_("Aussteller"), max_length=500)
    serial = models.CharField(_("Seriennummer (hex)"), max_length=80)
    fingerprint = models.CharField(_("SHA-256-Fingerabdruck"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("gültig ab"))
    not_after = models.DateTimeField(_("gültig bis"))
    certificate_pem = models.TextField(_("Zertifikat (PEM)"))
    chain_pem = models.TextField(_("Zertifikatskette (PEM)"), blank=True)
    key_file = models.CharField(_("Schlüsseldatei (im PKI-Ordner)"), max_length=300)
    source = models.CharField(_("Herkunft"), max_length=20, choices=Source.choices)
    is_active = models.BooleanField(_("aktiv"), default=True)
    revoked_at = models.DateTimeField(_("gesperrt am"), null=True, blank=True)
    revocation_reason = models.CharField(_("Sperrgrund"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now)

    class Meta:
        verbose_name = _("Siegelzertifikat")
        verbose_name_plural = _("Siegelzertifikate")
        ordering = ["authority_id", "-not_after"]
        indexes = [models.Index(fields=["authority", "is_active"]), models.Index(fields=["serial"])]

    def __str__(self):
        return f"{self.subject} ({self.serial[:16]}, bis {timezone.localtime(self.not_after):%d.%m.%Y})"

    def problem(self, at=None) -> str | None:
        """Why this certificate must not seal now (German), or None."""
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return _("Das Siegelzertifikat ist gesperrt (%s).") % (self.revocation_reason or _("ohne Angabe"))
        if at < self.not_before:
            return _("Das Siegelzertifikat ist noch nicht gültig.")
        if at >= self.not_after:
            return _("Das Siegelzertifikat ist am %s abgelaufen.") % timezone.localtime(
                self.not_after
            ).strftime("%d.%m.%Y")
        return None


class SealAlert(models.Model):
    """Shown to operators in the admin: sealing was refused (certificate expired, revoked or missing)."""

    authority = models.ForeignKey(
        "directory.Authority", verbose_name=_("Behörde"), on_delete=models.CASCADE, related_name="seal_alerts"
    )
    certificate = models.ForeignKey(
        SealCertificate, verbose_name=_("Zertifikat"), on_delete=models.SET_NULL, null=True, blank=True
    )
    message = models.CharField(_("Meldung"), max_length=500)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Siegel-Warnung")
        verbose_name_plural = _("Siegel-Warnungen")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.authority}: {self.message}"


class Document(models.Model):
    """An issued, sealed document. `sha256` is the hash of the exact bytes delivered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    verification_code = models.CharField(_("Prüfcode"), max_length=12, unique=True)
    authority = models.ForeignKey(
        "directory.Authority", verbose_name=_("Behörde"), on_delete=models.PROTECT, related_name="documents"
    )
    doc_type = models.SlugField(_("Dokumentart"), max_length=50)
    procedure = models.SlugField(_("Verfahren"), max_length=100, blank=True)
    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("Vorlage"), on_delete=models.PROTECT, related_name="documents"
    )
    remedy_template = models.ForeignKey(
        RemedyTemplate,
        verbose_name=_("Rechtsbehelfsbelehrung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = models.CharField(_("Betreff"), max_length=500)
    reference = models.CharField(_("Bezug"), max_length=200, blank=True, db_index=True)
    issued_on = models.DateField(_("Datum des Dokuments"))
    file = models.FileField(_("Datei"), upload_to="documents/%Y/%m/", max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))
    pages = models.PositiveSmallIntegerField(_("Seiten"), default=1)
    seal_certificate = models.ForeignKey(
        SealCertificate,
        verbose_name=_("Siegelzertifikat"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    seal_level = models.CharField(_("Siegelformat"), max_length=20)
    sealed_at = models.DateTimeField(_("gesiegelt am"))
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now)

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} ({self.formatted_code})"

    @property
    def formatted_code(self) -> str:
        from amtsweg.documents.codes import format_code

        return format_code(self.verification_code)

    def read_bytes(self) -> bytes:
        with self.file.open("rb") as handle:
            return handle.read()
