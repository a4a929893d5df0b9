"""Every endpoint that takes an object ID, for the tenant-isolation matrix in
tests/accounts/test_isolation.py.

Add an endpoint with one line in your app's block:

    citizen("cases:detail", make=cases_factories.case_of)                  # make(user) -> URL kwargs
    staff("cases:staff_detail", make=cases_factories.case_at, role="case_worker")   # make(authority) -> URL
    kwargs
    citizen_page("postbox:inbox", make=postbox_factories.message_of)      # make(user) -> text only the owner
    may see
    staff_page("cases:staff_list", make=cases_factories.case_title_at)    # make(authority) -> text for its
    staff only
    # (staff_page with own_kwargs=...: the URL takes the viewer's own authority, e.g. {"authority_id": ...})

The matrix requests each URL as another citizen (or as staff of another authority) and expects 404; then as
the
owner and expects anything but 404, so an endpoint that answers 404 to everyone does not pass by accident.
For `*_page` entries (lists, exports: no ID in the URL) it checks that another tenant's text never appears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Endpoint:
    url_name: str
    kind: str  # "citizen" | "staff" | "citizen_page" | "staff_page"
    make: Callable
    method: str = "get"
    role: str | None = None
    data: dict = field(default_factory=dict)
    unchanged: Callable | None = None  # unchanged(kwargs) -> bool, checked after the foreign request
    own_kwargs: Callable | None = None  # staff_page: URL kwargs for the viewer's own authority

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.url_name}:{self.method}"


ENDPOINTS: list[Endpoint] = []


def citizen(url_name, make, *, method="get", data=None, unchanged=None):
    ENDPOINTS.append(Endpoint(url_name, "citizen", make, method, None, data or {}, unchanged))


def staff(url_name, make, *, role=None, method="get", data=None, unchanged=None):
    ENDPOINTS.append(Endpoint(url_name, "staff", make, method, role, data or {}, unchanged))


def citizen_page(url_name, make):
    ENDPOINTS.append(Endpoint(url_name, "citizen_page", make))


def staff_page(url_name, make, *, role=None, own_kwargs=None):
    ENDPOINTS.append(Endpoint(url_name, "staff_page", make, role=role, own_kwargs=own_kwargs))


# --- accounts
# ---------------------------------------------------------------------------------------------------------
from accounts import factories as acc  # noqa: E402

citizen("accounts:organisation", make=acc.organisation_of)
citizen(
    "accounts:organisation_add_member",
    make=acc.organisation_of,
    method="post",
    data={"email": "neu@example.org", "role": "member"},
    unchanged=acc.members_unchanged,
)
citizen(
    "accounts:organisation_member",
    make=acc.organisation_member_of,
    method="post",
    data={"action": "remove"},
    unchanged=acc.members_unchanged,
)
citizen("accounts:mandate", make=acc.mandate_of)
citizen("accounts:mandate_revoke", make=acc.mandate_of, method="post", unchanged=acc.mandate_not_revoked)
citizen_page("accounts:profile", make=acc.name_marker_of)
citizen_page("accounts:export", make=acc.name_marker_of)
citizen_page("accounts:export_json", make=acc.name_marker_of)
citizen_page("accounts:transparency", make=acc.access_record_marker_of)
citizen_page("accounts:organisations", make=acc.organisation_marker_of)
citizen_page("accounts:mandates", make=acc.mandate_marker_of)
staff("accounts:staff_authority", make=acc.authority_kwargs)
staff("accounts:staff_access_log", make=acc.authority_kwargs, role="auditor")
staff_page("accounts:staff_home", make=acc.authority_name)
staff_page(
    "accounts:staff_authority",
    make=acc.colleague_name_at,
    role="authority_admin",
    own_kwargs=acc.authority_kwargs,
)
staff_page(
    "accounts:staff_access_log", make=acc.access_purpose_at, role="auditor", own_kwargs=acc.authority_kwargs
)


# --- i-Kfz dialogue (amtsweg.procedures.kfz); staff lists are covered in tests/kfz/test_views.py
# ---------------------------------------------------------------------------------------------------------
from kfz import isolation as kfz_iso  # noqa: E402

for _name in ("kfz:vehicle", "kfz:details", "kfz:review", "kfz:submit", "kfz:result", "kfz:result_documents"):
    citizen(_name, make=kfz_iso.dialogue_of)
citizen("kfz:aborted", make=kfz_iso.dialogue_of)
citizen("kfz:abort", make=kfz_iso.dialogue_of, method="post", unchanged=kfz_iso.still_open)


# --- authority administration (amtsweg.administration) and statistics (amtsweg.reporting); the POST-only
# delete endpoints and POSTs with foreign IDs are covered in tests/administration/
# ---------------------------------------------------------------------------------------------------------
from administration import factories as adm  # noqa: E402

for _name in (
    "administration:overview",
    "administration:staff",
    "administration:fees",
    "administration:hours",
    "administration:keys",
    "administration:workload",
    "administration:procedures",
    "administration:letter",
    "administration:absences",
):
    staff(_name, make=adm.authority_kwargs, role="authority_admin")
staff("administration:staff_member", make=adm.membership_kwargs, role="authority_admin")
staff("reporting:authority", make=adm.authority_kwargs, role="auditor")
staff("reporting:authority_csv", make=adm.authority_kwargs, role="authority_admin")
staff_page(
    "administration:staff",
    make=adm.colleague_marker_at,
    role="authority_admin",
    own_kwargs=adm.authority_kwargs,
)
staff_page(
    "administration:workload",
    make=adm.colleague_marker_at,
    role="authority_admin",
    own_kwargs=adm.authority_kwargs,
)
staff_page(
    "administration:hours", make=adm.office_marker_at, role="authority_admin", own_kwargs=adm.authority_kwargs
)
staff_page(
    "administration:absences",
    make=adm.colleague_marker_at,
    role="authority_admin",
    own_kwargs=adm.authority_kwargs,
)

# --- offline Bürgerkoffer (amtsweg.koffer)
# ---------------------------------------------------------------------------------------------------------
from koffer import isolation as koffer_iso  # noqa: E402

staff("koffer_staff:revoke", make=koffer_iso.device_at, role="authority_admin")
# The POST (revocation) by another authority's admin is tested in tests/koffer/test_koffer_pages.py:
# the matrix expects 200 from the owner, and a successful revocation redirects.
staff_page("koffer_staff:devices", make=koffer_iso.device_name_at, role="authority_admin")

# --- Bürgerterminal: kiosk mode, video consultation, assisted filing (amtsweg.kiosk)
# ---------------------------------------------------------------------------------------------------------
from kiosk import isolation as kiosk_iso  # noqa: E402

staff("kiosk_staff:filing_receipt", make=kiosk_iso.assisted_filing_at, role="assisted_operator")
staff_page("kiosk_staff:terminals", make=kiosk_iso.terminal_name_at, role="authority_admin")
staff_page("kiosk_staff:video_queue", make=kiosk_iso.waiting_video_at, role="assisted_operator")

# --- back office (amtsweg.backoffice); pages with case IDs are covered in tests/backoffice (UUIDs)
# ---------------------------------------------------------------------------------------------------------
from backoffice import isolation as bo_iso  # noqa: E402

staff_page("backoffice:worklist", make=bo_iso.case_number_at, role="case_worker")
staff_page("backoffice:approvals", make=bo_iso.draft_awaiting_approval_at, role="approver")

# --- Bohranzeige (amtsweg.procedures.bohrung); the staff case pages (UUID) are covered in
# tests/bohrung/test_views.py
# ---------------------------------------------------------------------------------------------------------
from bohrung import isolation as bohrung_iso  # noqa: E402

citizen("bohrung:status", make=bohrung_iso.case_of)
citizen("bohrung:results", make=bohrung_iso.case_of)
for _name in (
    "bohrung:worklist",
    "bohrung:register",
    "bohrung:register_geojson",
    "bohrung:register_csv",
    "bohrung:overdue",
):
    staff_page(_name, make=bohrung_iso.case_number_at)
