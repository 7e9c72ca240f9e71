"""The life of a self-assessment as a table: states, actions, who may take them, what is logged.

::

    draft ──submit──► submitted ──start_review──► in_review ──publish──► published
      ▲                  │                           │                       │
      └──────return──────┴───────────return──────────┘◄────────reopen────────┘

* ``submit`` (the library's staff): the library hands in its narratives and evidence; from
  then on it can no longer edit them.
* ``start_review`` (an assessor of the issuing network): scoring is possible only in review.
* ``return`` (the assessor): back to the library as a draft for more evidence; scores given so
  far stay in the history and can be replaced after the next submission.
* ``publish`` (the assessor): every answered criterion must have a score; the library then sees
  the scores and comments.
* ``reopen`` (the assessor): a published result goes back into review to correct a score; the
  library sees the scores again when it is republished. A published result never goes straight
  back to draft: the library's answers that were scored stay as they were scored.

Every transition runs in one transaction and writes one audit event (from, to, action); the
audit log is the assessment's history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record
from libcoop.core.workflow import Table, Transition
from libcoop.greenlib.models import Assessment, AssessmentStatus, CriterionResponse
from libcoop.network.abilities import Actor, can, require

S = AssessmentStatus


TABLE: Final = Table(
    [
        Transition(
            "submit", (S.DRAFT,), S.SUBMITTED, "greenlib.submit",
            gettext_lazy("Submit for assessment"), AuditVerb.ASSESSMENT_SUBMITTED,
        ),
        Transition(
            "start_review", (S.SUBMITTED,), S.IN_REVIEW, "greenlib.score",
            gettext_lazy("Start the review"), AuditVerb.ASSESSMENT_REVIEW_STARTED,
        ),
        Transition(
            "return", (S.SUBMITTED,), S.DRAFT, "greenlib.score",
            gettext_lazy("Return to the library"), AuditVerb.ASSESSMENT_RETURNED,
        ),
        Transition(
            "return", (S.IN_REVIEW,), S.DRAFT, "greenlib.score",
            gettext_lazy("Return to the library"), AuditVerb.ASSESSMENT_RETURNED,
        ),
        Transition(
            "publish", (S.IN_REVIEW,), S.PUBLISHED, "greenlib.publish",
            gettext_lazy("Publish the result"), AuditVerb.ASSESSMENT_RESULT_PUBLISHED,
        ),
        Transition(
            "reopen", (S.PUBLISHED,), S.IN_REVIEW, "greenlib.publish",
            gettext_lazy("Reopen to correct a score"), AuditVerb.ASSESSMENT_REOPENED,
        ),
    ]
)  # fmt: skip
TRANSITIONS: Final = TABLE.pairs()

ACTIONS: Final = TABLE.actions


def answered(response: CriterionResponse) -> bool:
    """Did the library say anything on this criterion (text, status or evidence)?"""
    return bool(
        response.narrative_th.strip()
        or response.narrative_en.strip()
        or response.self_status
        or response.links.exists()
        or response.files.exists()
    )


def _check_submit(assessment: Assessment) -> None:
    if not any(answered(r) for r in assessment.responses.all()):
        raise ValidationError(_("Answer at least one criterion before submitting."))


def _check_publish(assessment: Assessment) -> None:
    unscored = [
        r.criterion.code
        for r in assessment.responses.select_related("criterion")
        if answered(r) and not r.scores.exists()
    ]
    if unscored:
        raise ValidationError(
            _("Score every answered criterion before publishing: %(codes)s")
            % {"codes": ", ".join(unscored)}
        )


# Conditions on the assessment's content, checked after the permission and the state.
GUARDS: Final[dict[str, Callable[[Assessment], None]]] = {
    "submit": _check_submit,
    "publish": _check_publish,
}


def available(assessment: Assessment, user: Actor) -> list[Transition]:
    """The actions *user* may take on *assessment* now (for buttons; services check again)."""
    return [t for t in TABLE.from_state(assessment.status) if can(user, t.ability, assessment)]


def perform(assessment: Assessment, action: str, *, acting_user: Actor) -> Assessment:
    """Take *action* on *assessment*: permission, allowed in this state, guards, save, audit.

    Returns the assessment as stored; the instance passed in gets the new status too.
    """
    given = assessment
    with transaction.atomic():
        # Lock the row so two people cannot move the same assessment at once.
        locked = Assessment.objects.select_for_update(of=("self",)).select_related(
            "institution", "standard", "standard__issuer"
        )
        assessment = locked.get(pk=assessment.pk)
        transition = TABLE.find(assessment.status, action)
        if transition is None:
            if action not in ACTIONS:
                raise ValidationError(f"Unknown action: {action!r}")
            # The permission first, so an outsider learns nothing about the state.
            for t in TABLE:
                if t.action == action:
                    require(acting_user, t.ability, assessment)
                    break
            raise ValidationError(
                _("This cannot be done while the assessment is %(status)s.")
                % {"status": assessment.get_status_display()}
            )
        require(acting_user, transition.ability, assessment)
        guard = GUARDS.get(action)
        if guard is not None:
            guard(assessment)
        old = assessment.status
        assessment.status = transition.target
        assessment.save(update_fields=["status", "updated"])
        record(
            AuditVerb(transition.verb),
            assessment,
            acting_user=acting_user,
            institution_code=assessment.institution.code,
            action=action,
            status=[old, str(transition.target)],
        )
    given.status = assessment.status
    return assessment
