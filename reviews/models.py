"""The selection: public vote, expert review, and the approved result."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Round
from core.identifiers import mask_phone, phone_digest

from .conflicts import refusal


class ChangesOnlyHistory(HistoricalRecords):
    """History of a row's changes, not of its creation: a voter proving a phone is no event
    for the audit trail (it would list every voter); staff revoking one is."""

    def post_save(self, instance, created, using=None, **kwargs):
        if not created:
            super().post_save(instance, created, using=using, **kwargs)


class Voter(models.Model):
    """A member of the public who proved a phone number with a one-time code."""

    # 11 ASCII digits (core.identifiers.normalise_phone), whatever digits were typed; NULL once
    # minimised (publishing.retention) or deleted by the voter (reviews.vote.own_data).
    phone = models.CharField(_("手机号"), max_length=20, unique=True, null=True, blank=True)
    # HMAC-SHA256 of the phone under PHONE_HASH_KEY (reviews.vote.identity.phone_digest), kept
    # when the phone is minimised: a returning voter is found by hashing the typed number, so
    # one phone stays one voter across rounds.
    phone_hash = models.CharField(
        _("手机号摘要"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    minimised_at = models.DateTimeField(_("最小化时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    # Signed into the voter's cookie and checked by every vote: adding one ("更换手机号", or
    # staff on the vote monitor) revokes every cookie issued before (reviews.vote.identity).
    token_version = models.PositiveIntegerField(_("凭证版本"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # Staff revoking a voter is recorded (who, when, why: reviews.vote.identity.revoke_voters).
    history = ChangesOnlyHistory()

    class Meta:
        verbose_name = _("投票人")
        verbose_name_plural = _("投票人")

    def __str__(self):
        return self.masked_phone

    def save(self, *args, **kwargs):
        # The hash follows the number wherever a row is saved with one (the vote's own paths
        # write both with UPDATEs: reviews.vote.identity).
        if self.phone:
            self.phone_hash = phone_digest(self.phone)
            fields = kwargs.get("update_fields")
            if fields is not None and "phone" in fields:
                kwargs["update_fields"] = {*fields, "phone_hash"}
        super().save(*args, **kwargs)

    @property
    def masked_phone(self):
        return mask_phone(self.phone) if self.phone else str(_("（手机号已删除）"))


class PhoneCode(models.Model):
    """A one-time code sent to a phone; only its hash is kept."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{mask_phone(self.phone)} @ {self.created_at:%Y-%m-%d %H:%M}"


class Ballot(models.Model):
    """How many votes a voter has cast in a round: the per-round limit is one conditional
    UPDATE on this row, so concurrent requests cannot exceed it."""

    # No index of its own: the unique (round, voter) index below starts with it. Every index
    # is written on every vote. No database constraint, as Vote.round.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="ballots", db_index=False, db_constraint=False
    )
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="ballots")
    used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "voter"], name="one_ballot_per_voter_round")
        ]

    def __str__(self):
        return f"{self.voter} · {self.round_id}: {self.used}"


class Vote(models.Model):
    # Every index is written on every vote, so there are four: the key, the unique (voter,
    # case), the case (its foreign key) and (round, ip_block, created_at), which serves every
    # query of a round's votes (tally, chart, bursts).
    # The round is the case's round, written by the vote statement from the case it joined
    # (reviews.vote.casting._VOTE_STATEMENT), and a round with cases cannot be deleted: no
    # database constraint of its own, whose check would lock the one round row that every
    # concurrent vote shares (Ballot.round likewise). The case and the voter keep theirs.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="votes", db_index=False, db_constraint=False
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="votes", db_index=False)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # The address block (/24 for IPv4, /48 for IPv6) for burst detection.
    ip_block = models.CharField(_("地址段"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("投票时间"), default=timezone.now)
    voided = models.BooleanField(_("已作废"), default=False)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # looked up never; written (as NULL) on every vote
    )
    voided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        constraints = [
            # The database, not the view, guarantees one vote per voter and case.
            models.UniqueConstraint(fields=["voter", "case"], name="one_vote_per_voter_case")
        ]
        indexes = [
            models.Index(fields=["round", "ip_block", "created_at"], name="vote_round_block_time"),
            # Only voided votes are in it (a vote is never voided when cast), so the vote path
            # writes nothing to it; the voided counts per case read it alone.
            models.Index(
                fields=["round", "case"], condition=models.Q(voided=True), name="vote_voided"
            ),
        ]

    def __str__(self):
        return f"{self.voter} → {self.case_id}"


class VoteCountSnapshot(models.Model):
    """The counts a round publishes once a day (Round.vote_count_mode "daily"): taken when due
    (reviews.vote.snapshots) and never changed afterwards."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="vote_snapshots")
    due_at = models.DateTimeField(_("公布时间"))
    taken_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # {case id (as text): valid votes cast up to due_at}
    counts = models.JSONField(_("票数"), default=dict)

    class Meta:
        verbose_name = _("票数定时公布")
        verbose_name_plural = _("票数定时公布")
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "due_at"], name="one_snapshot_per_due_time")
        ]

    def __str__(self):
        return f"{self.round} @ {self.due_at:%Y-%m-%d %H:%M}"


class VoteLedger(models.Model):
    """What the staff and public pages read of a round's votes instead of the Vote rows
    (reviews.vote.ledger): how far the per-bucket counts are folded in, the last scan for
    flags, and the figures the public sees once the vote is closed. One row per round."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="vote_ledger")
    # Every valid vote of the round with id <= folded_to is in VoteBucket; later ones are read
    # from the Vote rows (a minute or two of votes).
    folded_to = models.BigIntegerField(default=0)
    folded_at = models.DateTimeField(null=True, blank=True)
    # The last scan for flags (bursts, swarms, number runs), as plain data, and when it ran.
    flags = models.JSONField(default=list)
    flags_at = models.DateTimeField(null=True, blank=True)
    # {case id: [counted, voided]} computed when the vote was closed (again at every close).
    closed_figures = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("投票汇总")
        verbose_name_plural = _("投票汇总")

    def __str__(self):
        return str(self.round)


class VoteBucket(models.Model):
    """Valid votes for one case within one time bucket (a minute, ten minutes, an hour or a
    Beijing-time day), folded in from the Vote rows off the vote path (reviews.vote.ledger)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    size = models.PositiveIntegerField()  # seconds: 60, 600, 3600, 86400
    start = models.DateTimeField()
    votes = models.IntegerField(default=0)
    # Of those, cast at exactly ``start`` (minute buckets): a count "up to a whole minute"
    # includes them.
    at_start = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("票数分时汇总")
        verbose_name_plural = _("票数分时汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "size", "start", "case"], name="one_bucket_per_case_time"
            )
        ]

    def __str__(self):
        return f"{self.case_id} @ {self.start} ({self.size} s): {self.votes}"


class Assignment(models.Model):
    """An expert asked to score a shortlisted case."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    recused = models.BooleanField(_("回避"), default=False)
    recusal_reason = models.CharField(_("回避理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [
            models.UniqueConstraint(fields=["case", "expert"], name="one_assignment_per_case")
        ]

    def __str__(self):
        return f"{self.expert} · {self.case_id}"


class ScoreSheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="sheet")
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    comment = models.TextField(_("评语"), blank=True)
    # Shown to the case's district after publication, without the expert's name
    # (reviews.feedback); ``comment`` stays with staff.
    district_comment = models.TextField(_("给申报区的意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")

    def __str__(self):
        return str(self.assignment)

    def save(self, *args, **kwargs):
        # Whatever created the assignment (a page, the admin, an import, the shell), a sheet on
        # one whose expert must recuse is never submitted.
        if self.status == self.Status.SUBMITTED:
            reason = refusal(self.assignment)
            if reason:
                raise ValidationError(reason)
        super().save(*args, **kwargs)


class ScoreQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for score in objs:
            score.check_allowed()
        return super().bulk_create(objs, *args, **kwargs)


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(_("评分项"), max_length=32)
    value = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)

    history = HistoricalRecords()

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("得分")
        verbose_name_plural = _("得分")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        # Never the value: the admin lists related objects by their __str__ (a delete
        # confirmation page, the history), and the value is sealed until the review closes.
        return f"{self.sheet_id} · {self.criterion}"

    def save(self, *args, **kwargs):
        self.check_allowed()
        super().save(*args, **kwargs)

    def check_allowed(self):
        """A score is saved only on a draft sheet whose expert may score the case."""
        sheet = (
            ScoreSheet.objects.select_related("assignment__expert", "assignment__case")
            .filter(pk=self.sheet_id)
            .first()
        )
        if sheet is None:  # no such sheet: the database's foreign key refuses it
            return
        if sheet.status == ScoreSheet.Status.SUBMITTED:
            raise ValidationError(_("评分表已提交并锁定，得分不能修改。"))
        reason = refusal(sheet.assignment)
        if reason:
            raise ValidationError(reason)


class Result(models.Model):
    """One line of a round's approved result, frozen when staff approve it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="result")
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=3)
    overall_rank = models.PositiveIntegerField(_("总排名"))
    tier = models.CharField(_("档次"), max_length=32, blank=True)
    rank = models.PositiveIntegerField(_("档内排名"), null=True, blank=True)
    details = models.JSONField(_("计算明细"), default=dict)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审定时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "overall_rank", "case_id"]
        verbose_name = _("评选结果")
        verbose_name_plural = _("评选结果")

    def __str__(self):
        return f"{self.case_id}: {self.overall_rank}"

    def save(self, *args, **kwargs):
        # An approved line is frozen: written once by reviews.results.approve, never changed.
        if self.pk is not None:
            raise ValidationError(_("已审定的评选结果已冻结，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("已审定的评选结果已冻结，不能删除。"))


class RoundSelection(models.Model):
    """Who closed the vote, closed the review and approved the result of a round, and when.

    The round's phase itself lives on Round (cases/rounds.py is its one door); this row records
    the selection's own milestones, chiefly the end of sealing: scores stay sealed from staff
    until ``review_closed_at`` is set.
    """

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="selection")
    vote_closed_at = models.DateTimeField(_("投票截止操作时间"), null=True, blank=True)
    vote_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("截止投票操作人"),
    )
    review_closed_at = models.DateTimeField(_("评审结束时间"), null=True, blank=True)
    review_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结束评审操作人"),
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    # The round's personal data minimised (publishing.retention), and the fraud review's flags
    # as they stood just before (reviews.vote.frozen_flags): what staff saw stays what they see.
    personal_data_minimised_at = models.DateTimeField(
        _("个人信息最小化时间"), null=True, blank=True
    )
    frozen_flags = models.JSONField(_("冻结的异常标记"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定人"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评选进程")
        verbose_name_plural = _("评选进程")

    def __str__(self):
        return str(self.round)

    @property
    def review_closed(self):
        return self.review_closed_at is not None

    @property
    def approved(self):
        return self.approved_at is not None
