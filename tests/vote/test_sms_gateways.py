"""The senders that reach real phones, against stand-ins of their gateways on loopback."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from reviews.vote.sms_gateways import AliyunSender, HttpGatewaySender, SmsSendError

PHONE = "13800138000"


class StandIn:
    """A gateway on 127.0.0.1 that records what it was sent and answers what it is told."""

    def __init__(self):
        self.requests = []
        self.status, self.answer = 200, {}
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                stand_in.requests.append(
                    {"path": self.path, "query": query, "body": body, "headers": self.headers}
                )
                data = (
                    stand_in.answer
                    if isinstance(stand_in.answer, bytes)
                    else (json.dumps(stand_in.answer).encode())
                )
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    stand_in = StandIn()
    yield stand_in
    stand_in.close()


def gateway_settings(gateway):
    return override_settings(
        SMS_GATEWAY_URL=f"http://127.0.0.1:{gateway.port}/sms/send",
        SMS_GATEWAY_ACCOUNT="fgw",
        SMS_GATEWAY_PASSWORD="secret",
        SMS_GATEWAY_TEMPLATE="T1001",
    )


def test_the_http_gateway_gets_the_phone_the_template_and_the_code(gateway):
    gateway.answer = {"code": 0, "msg": "成功"}
    with gateway_settings(gateway):
        HttpGatewaySender().send(phone=PHONE, code="123456", minutes=5)
    sent = json.loads(gateway.requests[0]["body"])
    assert gateway.requests[0]["path"] == "/sms/send"
    assert (sent["phone"], sent["template"], sent["params"]) == (
        PHONE,
        "T1001",
        {"code": "123456", "minutes": "5"},
    )
    assert (sent["account"], sent["password"]) == ("fgw", "secret")
    assert "123456" in sent["content"]


@pytest.mark.parametrize(
    "status, answer",
    [
        (200, {"code": 1002, "msg": "余额不足"}),  # refused in its own words
        (500, {"code": 0}),  # the gateway failed
        (200, b"<html>maintenance</html>"),  # not JSON
        (200, ["code", 0]),  # JSON, but not the shape
    ],
)
def test_a_gateway_that_does_not_accept_the_message_is_an_error(gateway, status, answer):
    gateway.status, gateway.answer = status, answer
    with gateway_settings(gateway), pytest.raises(SmsSendError) as error:
        HttpGatewaySender().send(phone=PHONE, code="123456", minutes=5)
    assert "短信发送失败" in str(error.value.message)


def test_an_unreachable_gateway_is_an_error(gateway):
    gateway.close()
    with gateway_settings(gateway), pytest.raises(SmsSendError):
        HttpGatewaySender().send(phone=PHONE, code="123456", minutes=5)


def aliyun_settings(gateway):
    return override_settings(
        ALIYUN_SMS_ACCESS_KEY_ID="LTAI-test",
        ALIYUN_SMS_ACCESS_KEY_SECRET="secret",
        ALIYUN_SMS_SIGN_NAME="上海市发展和改革委员会",
        ALIYUN_SMS_TEMPLATE_CODE="SMS_000001",
        ALIYUN_SMS_ENDPOINT=f"127.0.0.1:{gateway.port}",
        ALIYUN_SMS_PROTOCOL="http",
    )


def test_aliyun_is_called_through_its_sdk_with_a_signed_send_sms(gateway):
    gateway.answer = {"Code": "OK", "Message": "OK", "BizId": "900", "RequestId": "R1"}
    with aliyun_settings(gateway):
        AliyunSender().send(phone=PHONE, code="654321", minutes=5)
    request = gateway.requests[0]
    fields = {**request["query"], **urllib.parse.parse_qs(request["body"])}
    assert request["headers"]["x-acs-action"] == "SendSms"
    assert request["headers"]["x-acs-version"] == "2017-05-25"
    # Signed with the access key (the SDK's V3 signature).
    assert "Credential=LTAI-test" in request["headers"]["Authorization"]
    assert fields["PhoneNumbers"] == [PHONE]
    assert fields["SignName"] == ["上海市发展和改革委员会"]
    assert fields["TemplateCode"] == ["SMS_000001"]
    assert json.loads(fields["TemplateParam"][0]) == {"code": "654321"}


@pytest.mark.parametrize(
    "status, answer",
    [
        (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控", "RequestId": "R"}),
        (400, {"Code": "InvalidAccessKeyId.NotFound", "Message": "not found", "RequestId": "R"}),
        (503, {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R"}),
    ],
)
def test_aliyun_refusals_are_errors(gateway, status, answer):
    gateway.status, gateway.answer = status, answer
    with aliyun_settings(gateway), pytest.raises(SmsSendError):
        AliyunSender().send(phone=PHONE, code="654321", minutes=5)


@pytest.mark.django_db
def test_a_refusing_gateway_tells_the_voter_and_nothing_counts_as_sent(gateway, settings):
    from django.test import Client
    from django.urls import reverse

    from reviews.factories import CAPTCHA_PASSED, clear_rate_limits
    from reviews.models import PhoneCode
    from reviews.vote import budget

    clear_rate_limits()
    settings.SMS_SENDER = "reviews.vote.sms_gateways.HttpGatewaySender"
    gateway.answer = {"code": 1002, "msg": "余额不足"}
    with gateway_settings(gateway):
        page = Client().post(reverse("vote:phone"), {"phone": PHONE, **CAPTCHA_PASSED})
        assert page.status_code == 200
        assert "短信发送失败" in page.content.decode()
        assert not PhoneCode.objects.exists()
        assert budget.usage().hour == 0
        # The gateway works again: the voter may ask at once (no resend wait was started).
        gateway.answer = {"code": 0}
        again = Client().post(reverse("vote:phone"), {"phone": PHONE, **CAPTCHA_PASSED})
    assert again.status_code == 302
    assert PhoneCode.objects.count() == 1 and budget.usage().hour == 1
    clear_rate_limits()
