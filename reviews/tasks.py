from celery import shared_task

from core.background import OffRequestTask


# Off the request (core.background): the monitor page that queues it answers from the last
# scan without waiting; a scan of a million votes takes seconds.
@shared_task(base=OffRequestTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def scan_vote_flags(round_id):
    from cases.models import Round

    from .vote import scan

    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is not None:
        scan.scan(round_)
