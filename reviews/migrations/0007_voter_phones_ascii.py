"""Phones as 11 ASCII digits (issue #13).

Until now a phone typed with other digits (full-width １, Arabic-Indic ١, Devanagari १) was
stored as typed, so one phone could be several voters. Each such voter takes its phone's ASCII
form; where a voter with that form exists already, the two are one person and are merged:

- a vote moves to the kept voter unless the kept voter voted for that case already or the move
  would take it over the round's limit; such a vote is voided (with a reason, off its case's
  count) and stays where it was;
- the merged voter is deleted once it holds no vote; otherwise it keeps its voided votes as
  evidence under a placeholder that is not a phone (``merged:<id>``, which no code can prove),
  and its token version moves on, so its cookies vote nothing.

One-time codes take the ASCII form too (they expire within minutes anyway).
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

VOID_REASON = "同一手机号以不同数字写法重复投票（数据迁移合并）"


def canonical(phone):
    from core.identifiers import IdentifierError, normalise_phone

    try:
        return normalise_phone(phone)
    except IdentifierError:
        return None


def merge(apps, duplicate, kept, now):
    Ballot = apps.get_model("reviews", "Ballot")
    Case = apps.get_model("cases", "Case")
    Vote = apps.get_model("reviews", "Vote")
    for vote in Vote.objects.filter(voter=duplicate).select_related("round").order_by("pk"):
        ballots = Ballot.objects.filter(round_id=vote.round_id, voter=kept)
        used = ballots.values_list("used", flat=True).first() or 0
        voted_already = Vote.objects.filter(voter=kept, case_id=vote.case_id).exists()
        if not voted_already and (vote.voided or used < vote.round.votes_per_voter):
            Vote.objects.filter(pk=vote.pk).update(voter=kept)
            if not ballots.update(used=F("used") + 1):
                Ballot.objects.create(round_id=vote.round_id, voter=kept, used=1)
            Ballot.objects.filter(round_id=vote.round_id, voter=duplicate, used__gt=0).update(
                used=F("used") - 1
            )
        elif not vote.voided:
            Vote.objects.filter(pk=vote.pk).update(
                voided=True, void_reason=VOID_REASON, voided_at=now
            )
            Case.objects.filter(pk=vote.case_id).update(vote_count=F("vote_count") - 1)
    if Vote.objects.filter(voter=duplicate).exists():
        duplicate.phone = f"merged:{duplicate.pk}"[:20]
        duplicate.token_version += 1
        duplicate.save(update_fields=["phone", "token_version"])
    else:
        duplicate.delete()


def phones_to_ascii(apps, schema_editor):
    Voter = apps.get_model("reviews", "Voter")
    PhoneCode = apps.get_model("reviews", "PhoneCode")
    now = timezone.now()
    for pk, phone in list(Voter.objects.order_by("pk").values_list("pk", "phone")):
        ascii_phone = canonical(phone)
        if ascii_phone is None or ascii_phone == phone:
            continue
        voter = Voter.objects.get(pk=pk)
        kept = Voter.objects.filter(phone=ascii_phone).first()
        if kept is None:
            voter.phone = ascii_phone
            voter.save(update_fields=["phone"])
        else:
            merge(apps, voter, kept, now)
    for pk, phone in list(PhoneCode.objects.values_list("pk", "phone")):
        ascii_phone = canonical(phone)
        if ascii_phone is not None and ascii_phone != phone:
            PhoneCode.objects.filter(pk=pk).update(phone=ascii_phone)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_voter_token_version")]

    operations = [migrations.RunPython(phones_to_ascii, migrations.RunPython.noop)]
