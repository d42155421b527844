"""Senders that reach real phones: Alibaba Cloud SMS and a plain HTTP gateway.

``SMS_SENDER`` names one of them in production (``core.deployment`` refuses the console and
memory senders there). A sender raises ``SmsSendError`` when the gateway did not accept the
message, whatever the reason (refused, unreachable, an answer it cannot read): the code then
counts as not sent, and the voter sees ``SmsSendError.message``.

Settings, all from the environment:
- Alibaba Cloud (``reviews.vote.sms_gateways.AliyunSender``): ``ALIYUN_SMS_ACCESS_KEY_ID``,
  ``ALIYUN_SMS_ACCESS_KEY_SECRET``, ``ALIYUN_SMS_SIGN_NAME``, ``ALIYUN_SMS_TEMPLATE_CODE``
  (a template with ``${code}``), ``ALIYUN_SMS_ENDPOINT`` (``dysmsapi.aliyuncs.com``),
  ``ALIYUN_SMS_PROTOCOL`` (``https``).
- An HTTP gateway (``reviews.vote.sms_gateways.HttpGatewaySender``), as government SMS
  platforms offer: ``SMS_GATEWAY_URL``; ``SMS_GATEWAY_ACCOUNT`` and ``SMS_GATEWAY_PASSWORD``
  (sent in the JSON body); ``SMS_GATEWAY_TEMPLATE`` (the platform's template id, sent as
  ``template``, with ``params``); the answer is JSON whose ``SMS_GATEWAY_OK_FIELD``
  (``code``) equals ``SMS_GATEWAY_OK_VALUE`` (``0``) on success.
"""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

from .sms import BaseSender, SmsSendError

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, default) or default)


class HttpGatewaySender(BaseSender):
    def send(self, *, phone, code, minutes):
        body = {
            "account": _setting("SMS_GATEWAY_ACCOUNT"),
            "password": _setting("SMS_GATEWAY_PASSWORD"),
            "phone": phone,
            "template": _setting("SMS_GATEWAY_TEMPLATE"),
            "params": {"code": code, "minutes": str(minutes)},
            "content": self.message(code=code, minutes=minutes),
        }
        try:
            request = urllib.request.Request(
                _setting("SMS_GATEWAY_URL"),
                data=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json; charset=utf-8"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise SmsSendError(f"gateway answered HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:  # unreachable, timed out, not JSON
            raise SmsSendError(f"gateway unreadable: {exc}") from None
        field = _setting("SMS_GATEWAY_OK_FIELD", "code")
        expected = _setting("SMS_GATEWAY_OK_VALUE", "0")
        if not isinstance(answer, dict) or str(answer.get(field)) != expected:
            raise SmsSendError(f"gateway refused: {str(answer)[:200]}")
        logger.info("SMS sent to %s****%s through the gateway", phone[:3], phone[-4:])


class AliyunSender(BaseSender):
    """Alibaba Cloud SMS through its official SDK (alibabacloud-dysmsapi20170525)."""

    def _client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import utils_models

        config = utils_models.Config(
            access_key_id=_setting("ALIYUN_SMS_ACCESS_KEY_ID"),
            access_key_secret=_setting("ALIYUN_SMS_ACCESS_KEY_SECRET"),
            endpoint=_setting("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"),
            protocol=_setting("ALIYUN_SMS_PROTOCOL", "https"),
        )
        return Client(config)

    def send(self, *, phone, code, minutes):
        from alibabacloud_dysmsapi20170525 import models
        from darabonba.runtime import RuntimeOptions

        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=_setting("ALIYUN_SMS_SIGN_NAME"),
            template_code=_setting("ALIYUN_SMS_TEMPLATE_CODE"),
            template_param=json.dumps({"code": code}),
        )
        runtime = RuntimeOptions(
            connect_timeout=TIMEOUT_SECONDS * 1000,
            read_timeout=TIMEOUT_SECONDS * 1000,
            autoretry=False,
        )
        try:
            response = self._client().send_sms_with_options(request, runtime)
        except Exception as exc:  # the SDK raises its own errors for HTTP and network faults
            raise SmsSendError(f"aliyun: {type(exc).__name__}: {str(exc)[:200]}") from None
        body = response.body
        if body is None or body.code != "OK":
            detail = f"{getattr(body, 'code', None)} {getattr(body, 'message', None)}"
            raise SmsSendError(f"aliyun refused: {detail}")
        logger.info("SMS sent to %s****%s through Aliyun (%s)", phone[:3], phone[-4:], body.biz_id)
