"""Generate many cases for the back-office benchmark (PostgreSQL only): `amtsweg manage generate_bench_cases
--cases 1000000 --authorities 50`.

Fast because the database does the work: cases and their parts are written by `INSERT … SELECT` over
`generate_series` in batches, with pseudo-random but realistic states, dates, procedures, fees and
assignees. Shortcuts (documented in benchmarks/README.md): the generated cases have no encrypted payloads,
attachments, audit events or deadlines rows (the worklist and the case page without "open application" read
none of them); numbers start with "BENCH-". Generated authorities are marked `is_generated` and keyed
`bench-NN`; each gets two case workers (with a TOTP device, so sessions can be made for the load test).

With `--sessions N` it prints a JSON object with N ready staff session keys of the first authority and
sample case ids (for benchmarks/backoffice.py).
"""

from __future__ import annotations

import json
import time

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

PROCEDURES = [
    "gewerbe-anmeldung",
    "gewerbe-ummeldung",
    "gewerbe-abmeldung",
    "kfz-ausserbetriebsetzung",
    "kfz-adressaenderung",
    "kfz-umschreibung",
]
# Cumulative shares of the states (most cases of past years are done).
STATES = [
    (0.55, "closed"),
    (0.65, "delivered"),
    (0.68, "withdrawn"),
    (0.70, "decided"),
    (0.90, "in_review"),
    (0.95, "information_requested"),
    (0.98, "payment_pending"),
    (1.00, "submitted"),
]
BATCH = 100_000


def _state_sql(var: str) -> str:
    whens = " ".join(f"WHEN {var} < {share} THEN '{state}'" for share, state in STATES)
    return f"(CASE {whens} END)"


class Command(BaseCommand):
    help = "Erzeugt Vorgänge für den Benchmark der Sachbearbeitung (nur PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--authorities", type=int, default=50)
        parser.add_argument("--citizens", type=int, default=20_000)
        parser.add_argument("--sessions", type=int, default=0, help="so viele Sitzungen ausgeben (JSON)")
        parser.add_argument("--reuse", action="store_true", help="vorhandene Benchmark-Vorgänge behalten")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Nur mit PostgreSQL (AMTSWEG_DATABASE_URL).")
        from amtsweg.cases.models import Case

        existing = Case.objects.filter(number__startswith="BENCH-").count()
        if options["reuse"] and existing:
            self.stderr.write(f"{existing} Benchmark-Vorgänge vorhanden, werden wiederverwendet.")
        else:
            self._generate(options)
        if options["sessions"]:
            self.stdout.write(json.dumps(self._sessions(options["sessions"])))

    def _generate(self, options):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from amtsweg.accounts.models import StaffMembership, User
        from amtsweg.cases.models import Case, CasePart
        from amtsweg.directory.models import Authority

        started = time.perf_counter()
        with transaction.atomic():
            CasePart.objects.filter(number__startswith="BENCH-").delete()
            Case.objects.filter(number__startswith="BENCH-").delete()
            authorities = []
            for n in range(1, options["authorities"] + 1):
                authority, _ = Authority.objects.get_or_create(
                    key=f"bench-{n:02d}",
                    defaults={"name": f"Benchmark-Behörde {n:02d} (erzeugt)", "is_generated": True},
                )
                authorities.append(authority)
            for authority in authorities:
                for i in (1, 2):
                    user, created = User.objects.get_or_create(
                        username=f"bench-sb-{authority.key}-{i}",
                        defaults={"first_name": "Benno", "last_name": f"Bearbeiter {authority.key}-{i}"},
                    )
                    if created:
                        user.set_unusable_password()
                        user.save()
                        TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
                    StaffMembership.objects.get_or_create(
                        user=user, authority=authority, defaults={"case_worker": True, "approver": i == 2}
                    )
            have = User.objects.filter(username__startswith="bench-buerger-").count()
            User.objects.bulk_create(
                [
                    User(
                        username=f"bench-buerger-{n}",
                        first_name="Erika",
                        last_name=f"Muster{n}",
                        password="!",  # noqa: S106 (an unusable password)
                    )
                    for n in range(have + 1, options["citizens"] + 1)
                ],
                batch_size=5000,
            )
        citizen_ids = list(
            User.objects.filter(username__startswith="bench-buerger-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        authority_ids = [a.pk for a in authorities]
        workers = {
            a.pk: list(
                StaffMembership.objects.filter(authority=a, user__username__startswith="bench-sb-")
                .order_by("user_id")
                .values_list("user_id", flat=True)
            )
            for a in authorities
        }
        self.stderr.write(f"Behörden und Personen: {time.perf_counter() - started:.1f} s")
        procedures = "ARRAY[" + ",".join(f"'{p}'" for p in PROCEDURES) + "]"
        total = options["cases"]
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_ids (i int PRIMARY KEY, authority_id bigint, w1 bigint, w2 bigint)"
            )
            cursor.executemany(
                "INSERT INTO bench_ids VALUES (%s, %s, %s, %s)",
                [(i, pk, workers[pk][0], workers[pk][-1]) for i, pk in enumerate(authority_ids)],
            )
            cursor.execute("CREATE TEMP TABLE bench_citizens (i int PRIMARY KEY, user_id bigint)")
            cursor.executemany("INSERT INTO bench_citizens VALUES (%s, %s)", list(enumerate(citizen_ids)))
            for start in range(1, total + 1, BATCH):
                stop = min(total, start + BATCH - 1)
                batch_started = time.perf_counter()
                self._batch(cursor, start, stop, len(authority_ids), len(citizen_ids), procedures)
                self.stderr.write(f"Vorgänge {start:,}–{stop:,}: {time.perf_counter() - batch_started:.1f} s")
            cursor.execute("ANALYZE")
        self.stderr.write(f"Fertig: {total:,} Vorgänge in {time.perf_counter() - started:.1f} s")

    def _batch(self, cursor, start, stop, n_authorities, n_citizens, procedures):
        # r1..r4: independent pseudo-random numbers per row (deterministic: derived from the row number).
        # Only constants of this module are formatted into the statement; the numbers go as parameters.
        cursor.execute(
            f"""
            WITH src AS (
                SELECT g,
                       (hashint4(g) & 2147483647)::float / 2147483647 AS r1,
                       (hashint4(g + 7919) & 2147483647)::float / 2147483647 AS r2,
                       (hashint4(g + 104729) & 2147483647)::float / 2147483647 AS r3,
                       (hashint4(g + 1299709) & 2147483647)::float / 2147483647 AS r4
                FROM generate_series(%s, %s) AS g
            ), rows AS (
                SELECT src.*, b.authority_id, b.w1, b.w2, c.user_id,
                       now() - (r2 * interval '1095 days') AS submitted_at,
                       {_state_sql("r1")} AS state
                FROM src
                JOIN bench_ids b ON b.i = g %% %s
                JOIN bench_citizens c ON c.i = (hashint4(g + 15485863) & 2147483647) %% %s
            )
            INSERT INTO cases_case (public_id, number, procedure_key, authority_id, applicant_id, acting,
                trust_level, state, outcome, idempotency_key, place_ags, fee_cents, payment_reference,
                check_results, decided_automatically, planned_outcome, planned_summary, sample_review,
                content_sha256, submitted_at, due_on, decided_at, closed_at, retain_until, version,
                updated_at)
            SELECT gen_random_uuid(), 'BENCH-' || authority_id || '-' || g,
                   ({procedures})[1 + (hashint4(g + 3) & 2147483647) %% {len(PROCEDURES)}],
                   authority_id, user_id, '{{}}'::jsonb, 'substanziell', state,
                   CASE WHEN state IN ('closed', 'delivered', 'decided') THEN 'granted' ELSE '' END,
                   gen_random_uuid(), '', CASE WHEN r3 < 0.6 THEN 2600 ELSE 0 END, '', '[]'::jsonb,
                   r4 < 0.3, '', '', false, '', submitted_at,
                   (submitted_at + ((10 + (r3 * 30)::int) * interval '1 day'))::date,
                   CASE WHEN state IN ('closed', 'delivered', 'decided')
                        THEN submitted_at + interval '9 days' END,
                   CASE WHEN state IN ('closed', 'withdrawn') THEN submitted_at + interval '20 days' END,
                   NULL, 1, submitted_at
            FROM rows
            """,  # noqa: S608
            [start, stop, n_authorities, n_citizens],
        )
        cursor.execute(
            """
            INSERT INTO cases_casepart (case_id, authority_id, number, label, is_lead, state, outcome,
                assignee_id, fields, due_on, decided_at, closed_at, created_at)
            SELECT c.id, c.authority_id, c.number, '', true, c.state, c.outcome,
                   CASE WHEN hashint4(c.id::int) & 3 = 0 THEN NULL
                        WHEN hashint4(c.id::int) & 3 = 1 THEN b.w2 ELSE b.w1 END,
                   NULL, c.due_on, c.decided_at, c.closed_at, c.submitted_at
            FROM cases_case c JOIN bench_ids b ON b.authority_id = c.authority_id
            WHERE c.number LIKE 'BENCH-%%' AND c.id > COALESCE(
                (SELECT max(case_id) FROM cases_casepart WHERE number LIKE 'BENCH-%%'), 0)
            """
        )

    def _sessions(self, count: int) -> dict:
        from django.contrib.sessions.backends.db import SessionStore
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from amtsweg.accounts.models import User
        from amtsweg.accounts.staff import LAST_SEEN_KEY
        from amtsweg.cases.models import CasePart

        users = list(User.objects.filter(username__startswith="bench-sb-bench-01-").order_by("pk"))
        if not users:
            raise CommandError("Keine Benchmark-Daten: zuerst ohne --reuse erzeugen.")
        sessions = []
        for n in range(count):
            user = users[n % len(users)]
            device = TOTPDevice.objects.filter(user=user).first()
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "amtsweg.accounts.backends.EmailOrUsernameBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
            store[LAST_SEEN_KEY] = int(time.time()) + 10**6
            store.create()
            sessions.append(store.session_key)
        authority = users[0].staff_memberships.first().authority
        open_parts = (
            CasePart.objects.filter(authority=authority)
            .exclude(state__in=["closed", "withdrawn"])
            .select_related("case")
            .order_by("?")[:200]
        )
        return {
            "sessions": sessions,
            "cases": [str(p.case.public_id) for p in open_parts],
            "procedure": PROCEDURES[0],
            "open_parts": CasePart.objects.filter(authority=authority)
            .exclude(state__in=["closed", "withdrawn"])
            .count(),
        }
