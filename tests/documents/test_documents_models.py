"""Templates are validated when saved, chosen by specificity and frozen once used."""

import pytest
from django.core.exceptions import ValidationError
from documents_factories import authority, decision_spec

from amtsweg.documents.defaults import REMEDY_OBJECTION
from amtsweg.documents.models import DocumentTemplate, RemedyTemplate
from amtsweg.documents.services import create_document

pytestmark = pytest.mark.django_db


def test_default_templates_exist_after_migration():
    assert DocumentTemplate.objects.filter(doc_type="bescheid", procedure="", authority=None).exists()
    assert RemedyTemplate.objects.filter(procedure="", authority=None).exists()


def test_broken_template_is_rejected_on_save():
    with pytest.raises(ValidationError) as excinfo:
        DocumentTemplate.objects.create(
            doc_type="bescheid", procedure="x", title="Betreff", body="Hallo {{ name"
        )
    assert "„{{“ ohne „}}“" in str(excinfo.value)
    assert not DocumentTemplate.objects.filter(procedure="x").exists()


def test_title_must_be_one_line():
    with pytest.raises(ValidationError, match="einer Zeile"):
        DocumentTemplate.objects.create(
            doc_type="bescheid", procedure="x", title="# Überschrift", body="Text"
        )


def test_remedy_without_required_content_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        RemedyTemplate.objects.create(
            procedure="x", text="Gegen diesen Bescheid kann Widerspruch erhoben werden."
        )
    message = str(excinfo.value)
    for expected in ("ein Monat", "§ 3a Abs. 2", "§ 3a Abs. 3", "§ 9a Abs. 5", "{{ behoerde.name }}"):
        assert expected in message


def test_remedy_with_all_content_is_accepted():
    remedy = RemedyTemplate.objects.create(procedure="gewerbe", text=REMEDY_OBJECTION, version=1)
    assert remedy.pk


def test_most_specific_template_wins_and_highest_version():
    office = authority()
    other = authority()
    general = DocumentTemplate.objects.get(doc_type="bescheid", procedure="", authority=None)
    for_procedure = DocumentTemplate.objects.create(
        doc_type="bescheid", procedure="p", title="{{ betreff }}", body="P"
    )
    for_both = DocumentTemplate.objects.create(
        doc_type="bescheid", procedure="p", authority=office, title="{{ betreff }}", body="P+B"
    )
    newer = DocumentTemplate.objects.create(
        doc_type="bescheid", procedure="p", authority=office, version=2, title="{{ betreff }}", body="P+B v2"
    )
    matching = DocumentTemplate.objects.matching
    assert matching(procedure="p", authority=office).filter(doc_type="bescheid").first() == newer
    assert matching(procedure="p", authority=other).filter(doc_type="bescheid").first() == for_procedure
    assert matching(procedure="q", authority=other).filter(doc_type="bescheid").first() == general
    assert for_both in matching(procedure="p", authority=office)


def test_duplicate_version_is_rejected():
    DocumentTemplate.objects.create(doc_type="brief", procedure="p", title="{{ betreff }}", body="a")
    with pytest.raises(ValidationError):
        DocumentTemplate.objects.create(doc_type="brief", procedure="p", title="{{ betreff }}", body="b")


def test_used_template_version_is_frozen():
    office = authority()
    document = create_document(decision_spec(office), reference="frozen")
    template = document.template
    template.body = "Ganz anderer Text"
    with pytest.raises(ValidationError, match="neue Version"):
        template.save()
    template.refresh_from_db()
    assert "Ganz anderer Text" not in template.body
    template.is_active = False  # switching a used version off is allowed
    template.save()
