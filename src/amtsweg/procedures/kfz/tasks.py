"""Background work of i-Kfz: submit paid applications, issue provisional proofs, purge dialogue data and
logs."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from amtsweg.core.jobs import periodic, retrying_task

logger = logging.getLogger("amtsweg.kfz")


@retrying_task(max_attempts=6, base_delay=10, max_delay=600)
def submit_paid_dialogue(dialogue_id: str) -> str:
    """Submit a paid application whose applicant did not come back from the payment page (idempotent)."""
    from amtsweg.procedures.kfz.dialogue import DialogueError, submit
    from amtsweg.procedures.kfz.models import Dialogue

    dialogue = Dialogue.objects.filter(pk=dialogue_id).first()
    if dialogue is None or dialogue.case_id:
        return "nothing to do"
    try:
        case = submit(dialogue)
    except DialogueError as exc:
        logger.warning(
            "paid i-Kfz application not submitted",
            extra={"dialogue": dialogue_id, "error": exc.message[:200]},
        )
        return "refused"
    return f"case {case.number}"


@periodic(every=timedelta(minutes=10), name="kfz.submit_stuck")
@task()
def submit_stuck_dialogues() -> int:
    """Safety net: paid applications without a case two minutes after payment get another submission
    attempt."""
    from amtsweg.procedures.kfz.models import Dialogue

    stuck = Dialogue.objects.filter(
        status=Dialogue.Status.PAID, case__isnull=True, updated_at__lt=timezone.now() - timedelta(minutes=2)
    )
    ids = [str(pk) for pk in stuck.values_list("pk", flat=True)[:200]]
    for dialogue_id in ids:
        submit_paid_dialogue.enqueue(dialogue_id)
    return len(ids)


@retrying_task(max_attempts=8, base_delay=10, max_delay=1800)
def issue_provisional_proof(case_id: int) -> str:
    """Render, seal and deliver the provisional registration proof (§ 32 FZV) once per case."""
    from amtsweg.procedures.kfz.documents import issue_proof

    return issue_proof(case_id)


@periodic(every=timedelta(minutes=5), name="kfz.proof_sweep")
@task()
def sweep_provisional_proofs() -> int:
    """Safety net: proofs whose task got lost (e.g. the enqueue after commit failed) are queued again."""
    from amtsweg.procedures.kfz.models import ProvisionalProof

    ids = list(
        ProvisionalProof.objects.filter(
            document_id__isnull=True, created_at__lt=timezone.now() - timedelta(minutes=2)
        ).values_list("case_id", flat=True)[:500]
    )
    for case_id in ids:
        issue_provisional_proof.enqueue(case_id)
    return len(ids)


@periodic(every=timedelta(minutes=5), name="kfz.purge_dialogues")
@task()
def purge_dialogues() -> dict:
    from amtsweg.procedures.kfz.dialogue import purge

    with transaction.atomic():
        return purge()
