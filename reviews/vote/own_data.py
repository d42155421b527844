"""A voter's own data (PIPL arts. 44–47): what is held about them, and deleting it while the
vote is open.

Deleting takes the voter's votes in rounds still voting out of the counts exactly: the Vote
rows, their ballots and each case's ``vote_count`` counter (valid votes only; a voided vote
was counted down when it was voided), in one transaction. Daily snapshots already taken
(VoteCountSnapshot) are published records and keep their figures. The phone goes too: the
whole voter when no other vote remains, else only the number (its keyed hash stays with the
votes of minimised rounds), unless a closed round they voted in is still within its period:
the number then waits for that round's minimisation (publishing.retention), as the page says.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cases.models import Case, Round

from ..models import Ballot, PhoneCode, Vote, Voter
from .errors import VoteError
from .retention import pending_round_ids, phone_minimised_after


def retention_period() -> timedelta:
    return timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


@dataclass
class OwnData:
    voter: Voter
    votes: list  # Vote rows with case and round
    minimised_after: datetime | None  # None: not before a round they voted in ends
    can_delete: bool  # a vote is open


def own_data(voter: Voter) -> OwnData:
    votes = list(
        Vote.objects.filter(voter=voter)
        .select_related("case", "round")
        .order_by("-created_at", "-id")
    )
    return OwnData(
        voter=voter,
        votes=votes,
        minimised_after=phone_minimised_after(voter, retention_period()),
        can_delete=Round.objects.filter(status=Round.Status.VOTING).exists(),
    )


@dataclass
class Deleted:
    votes: int
    phone_kept: bool  # a closed round they voted in is still within its period


def delete_own_data(*, voter_id: int, token_version: int) -> Deleted:
    """Delete a voter's data while a vote is open (see the module's text)."""
    with transaction.atomic():
        # FOR NO KEY UPDATE (PostgreSQL): a vote in flight checks its foreign key with FOR KEY
        # SHARE on this row, at the end of its statement, after it took its ballot and case
        # rows; a plain FOR UPDATE here would wait for it while it waits for us (a deadlock).
        voter = (
            Voter.objects.select_for_update(no_key=True)
            .filter(pk=voter_id, token_version=token_version)
            .first()
        )
        if voter is None:
            raise VoteError(_("您的手机号验证已失效，请重新验证后再操作。"))
        if not Round.objects.filter(status=Round.Status.VOTING).exists():
            raise VoteError(_("目前没有进行中的投票，不能在此删除；请按告知中的联系方式提出。"))
        # Every copy of the voter's cookie stops voting at once.
        Voter.objects.filter(pk=voter.pk).update(token_version=F("token_version") + 1)
        open_votes = Vote.objects.select_for_update().filter(
            voter=voter, round__status=Round.Status.VOTING
        )
        rows = list(open_votes.values_list("pk", "case_id", "voided", "round_id"))
        counted = Counter(case_id for _pk, case_id, voided, _r in rows if not voided)
        ids = [pk for pk, *_rest in rows]
        Vote.objects.filter(pk__in=ids).delete()
        Vote.history.filter(id__in=ids).delete()  # the copies, and the deletion's own
        Ballot.objects.filter(voter=voter, round_id__in={r for *_x, r in rows}).delete()
        for case_id, n in counted.items():
            Case.objects.filter(pk=case_id).update(vote_count=F("vote_count") - n)
        if voter.phone:
            PhoneCode.objects.filter(phone=voter.phone).delete()
        remaining = Vote.objects.filter(voter=voter)
        phone_kept = remaining.filter(round_id__in=pending_round_ids()).exists()
        if not remaining.exists():
            Voter.history.filter(id=voter.pk).delete()
            Ballot.objects.filter(voter=voter).delete()
            Voter.objects.filter(pk=voter.pk).delete()
            Voter.history.filter(id=voter.pk).delete()
        elif not phone_kept:
            Voter.objects.filter(pk=voter.pk).update(phone=None)
            Voter.history.filter(id=voter.pk).update(phone=None)
    return Deleted(votes=len(ids), phone_kept=phone_kept)
