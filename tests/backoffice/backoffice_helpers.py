"""Helpers of the back-office tests: submitted cases of the test procedures, logged-in staff."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from engine_fixtures import Acting, small_pdf
from test_procedure_shapes import fill

from amtsweg.cases import services as case_services


def submitted(world, user=None, **overrides):
    """A test-gewerbe case at Stadt Freiberg, in review (fee after the decision), with a PDF attachment."""
    user = user or world.citizen
    files = {"ausweis": [SimpleUploadedFile("ausweis.pdf", small_pdf("Ausweis"))]}
    draft = fill(user, "test-gewerbe", files=files, **overrides)
    case, _created = case_services.submit(draft, user, Acting(user), uuid.uuid4())
    case.refresh_from_db()
    return case


def foreign(world, user=None):
    """A test-bohrung case: led by the Landratsamt (parts at LfULG, Oberbergamt), none at Stadt Freiberg."""
    user = user or world.citizen
    draft = fill(user, "test-bohrung")
    case, _created = case_services.submit(draft, user, Acting(user), uuid.uuid4())
    case.refresh_from_db()
    return case
