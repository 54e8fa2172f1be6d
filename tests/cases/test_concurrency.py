"""Two staff members moving the same case at the same moment: one wins, the other is told the
state the case is in now. The threaded test needs real row locks (PostgreSQL, as in CI)."""

import pytest

from cases import services
from cases.models import Case
from portal.audit import entries_for
from portal.transitions import TransitionNotAllowed
from tests.cases.factories import in_progress_case
from tests.concurrency import needs_row_locks, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

S = Case.Status


@needs_row_locks
def test_two_staff_moving_one_case_at_once_one_wins_the_other_hears_the_current_state(staff, director):
    case = in_progress_case(staff)
    results = run_in_threads(
        [
            lambda: services.case_transition(case=case, to_status=S.OPINION_DRAFTED, by=staff, note="甲"),
            lambda: services.case_transition(case=case, to_status=S.OPINION_DRAFTED, by=director, note="乙"),
        ]
    )
    won = [r for r in results if isinstance(r, Case)]
    lost = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "当前状态为“指导意见已起草”" in " ".join(lost[0].messages)
    case.refresh_from_db()
    assert case.status == S.OPINION_DRAFTED
    assert case.revision == won[0].revision
    # One step, one entry on the log.
    assert entries_for(case).filter(action_type="cases.case.opinion_drafted").count() == 1


@needs_row_locks
def test_a_signer_and_a_drafter_acting_on_one_letter_at_once_one_wins(staff, deputy, agency):
    case = in_progress_case(staff)
    letter = services.letter_draft(case=case, subject="商请核查", body="请核查海关备案。", agencies=[agency], by=staff)
    services.letter_submit(letter=letter, by=staff)
    results = run_in_threads(
        [
            # Signing a withdrawn letter and withdrawing a signed one are both refused, whichever
            # comes first (returning it, by contrast, would leave a draft the staff may still withdraw).
            lambda: services.letter_sign(letter=letter, by=deputy),
            lambda: services.letter_withdraw(letter=letter, by=staff),
        ]
    )
    lost = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(lost) == 1, results
    letter.refresh_from_db()
    # The one who came second hears the state the first one left the letter in.
    assert f"当前状态为“{letter.get_status_display()}”" in " ".join(lost[0].messages)
    assert entries_for(letter).filter(action_type__in=["cases.letter.signed", "cases.letter.withdrawn"]).count() == 1
