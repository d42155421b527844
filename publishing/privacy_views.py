"""The notice of how personal information is handled (个人信息处理告知, PIPL arts. 13–17)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The security audit keeps login records (account, address, time) this long: a purpose of
# its own (account security), named in the notice.
LOGIN_RECORD_DAYS = 180


def notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/privacy.html",
        {
            "handler_name": settings.PRIVACY_HANDLER_NAME,
            "handler_contact": settings.PRIVACY_HANDLER_CONTACT,
            "sms_provider": settings.SMS_PROVIDER_NAME,
            "days": settings.PERSONAL_DATA_RETENTION_DAYS,
            "login_days": LOGIN_RECORD_DAYS,
        },
    )
