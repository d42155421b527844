"""The client address comes from one helper that trusts only the configured proxies."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from core import network
from core.network import ClientAddressMiddleware, client_address, parse_networks, resolve

NGINX = parse_networks(["127.0.0.10", "10.0.0.0/8"])


def seen_by_app(**meta):
    """REMOTE_ADDR and headers as the view sees them after the middleware."""
    request = RequestFactory().get("/", **meta)
    seen = {}

    def view(req):
        seen.update(req.META)
        return HttpResponse()

    ClientAddressMiddleware(view)(request)
    return seen


@pytest.mark.parametrize(
    "peer, forwarded_for, expected",
    [
        # Through nginx: the address nginx saw, appended right-most.
        ("127.0.0.10", "203.0.113.7", "203.0.113.7"),
        # A client that forges the header: nginx appends the real one; the forgery is ignored.
        ("127.0.0.10", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        # Two layers of our own proxies: skip both, take the first untrusted from the right.
        ("127.0.0.10", "198.51.100.9, 10.1.2.3", "198.51.100.9"),
        # Only trusted entries: the left-most of them is the best we know.
        ("127.0.0.10", "10.9.9.9", "10.9.9.9"),
        # Garbage right of a valid entry: stop at the last address our proxies wrote.
        ("127.0.0.10", "198.51.100.9, not-an-ip", "127.0.0.10"),
        # Ports and IPv6 brackets are tolerated.
        ("127.0.0.10", "[2001:db8::5]:443", "2001:db8::5"),
        ("127.0.0.10", "", "127.0.0.10"),
        # Not from a trusted proxy: the header is not believed at all.
        ("127.0.0.21", "1.2.3.4", "127.0.0.21"),
        ("203.0.113.50", "10.0.0.1", "203.0.113.50"),
    ],
)
def test_the_client_is_the_right_most_untrusted_entry_and_only_behind_a_trusted_proxy(
    peer, forwarded_for, expected
):
    assert resolve(peer, forwarded_for, NGINX)[0] == expected


def test_with_no_trusted_proxies_the_header_is_never_believed():
    assert resolve("127.0.0.10", "203.0.113.7", ())[0] == "127.0.0.10"


@override_settings(TRUSTED_PROXIES=["127.0.0.10"])
def test_the_middleware_puts_the_client_in_remote_addr_and_keeps_the_proto_of_a_proxy():
    seen = seen_by_app(
        REMOTE_ADDR="127.0.0.10",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert seen["REMOTE_ADDR"] == "198.51.100.20"
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"
    assert seen[network.PEER_KEY] == "127.0.0.10"


@override_settings(TRUSTED_PROXIES=["127.0.0.10"])
def test_an_untrusted_peer_cannot_claim_an_address_or_https():
    seen = seen_by_app(
        REMOTE_ADDR="127.0.0.21",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_REAL_IP="198.51.100.20",
    )
    assert seen["REMOTE_ADDR"] == "127.0.0.21"
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_REAL_IP"):
        assert header not in seen


@override_settings(TRUSTED_PROXIES=["127.0.0.10"])
def test_client_address_gives_the_same_answer_before_and_after_the_middleware():
    factory = RequestFactory()
    raw = factory.get("/", REMOTE_ADDR="127.0.0.10", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert client_address(raw) == "198.51.100.20"
    after = seen_by_app(REMOTE_ADDR="127.0.0.10", HTTP_X_FORWARDED_FOR="198.51.100.20")
    request = factory.get("/")
    request.META.update(after)
    assert client_address(request) == "198.51.100.20"


def test_a_bad_trusted_proxy_entry_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        parse_networks(["127.0.0.1", "nginx.local"])


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["127.0.0.10"], AXES_FAILURE_LIMIT=3)
def test_axes_counts_failures_per_client_not_per_proxy(client, django_user_model):
    """One attacker behind the proxy must not lock everybody else (behind the same proxy) out."""
    from django.urls import reverse

    django_user_model.objects.create_user(username="expert_x", password="a-Good-pass-2026")
    url = reverse("login")
    attacker = {"REMOTE_ADDR": "127.0.0.10", "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _ in range(3):
        client.post(url, {"username": "expert_x", "password": "wrong"}, **attacker)
    locked = client.post(url, {"username": "expert_x", "password": "a-Good-pass-2026"}, **attacker)
    assert locked.status_code == 429 or "锁定" in locked.content.decode()
    owner = {"REMOTE_ADDR": "127.0.0.10", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    response = client.post(url, {"username": "expert_x", "password": "a-Good-pass-2026"}, **owner)
    assert response.status_code == 302


def test_behind_a_unix_socket_the_proxys_header_is_believed_and_nothing_else_is():
    """gunicorn on a Unix socket (only nginx's group may open it): the peer has no address;
    with ``unix`` in TRUSTED_PROXIES that peer is the proxy, and an address peer is not."""
    socket = parse_networks(["unix"])
    assert resolve("", "1.2.3.4, 203.0.113.7", socket) == ("203.0.113.7", True)
    assert resolve("127.0.0.10", "203.0.113.7", socket) == ("127.0.0.10", False)
    assert resolve("", "203.0.113.7", NGINX) == ("", False)  # without the entry: not believed
