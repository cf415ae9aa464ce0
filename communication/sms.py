"""SMS backends: a small interface, a file backend by default and one HTTP provider (Twilio's REST API).

``SMS_BACKEND`` names the class. A backend's ``send`` returns the provider's id for the message, or
raises ``SmsFailed`` (with ``permanent``) or ``SmsTimeout`` (the outcome is unknown: never sent again
by itself). The message's own reference travels with it, so a delivery report finds it.
"""

import base64
import hashlib
import hmac
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool):
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


class SmsTimeout(Exception):
    pass


class BaseSmsBackend:
    def send(self, *, to: str, body: str, reference: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass


class FileSmsBackend(BaseSmsBackend):
    """Each message as one JSON line in ``SMS_FILE_PATH/sms-<date>.jsonl`` (development and the demo)."""

    def send(self, *, to, body, reference):
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": to, "body": body, "reference": reference},
            ensure_ascii=False,
        )
        # One write of one line in append mode: lines of several processes do not interleave.
        with open(folder / f"sms-{timezone.localdate():%Y-%m-%d}.jsonl", "a", encoding="utf-8") as file:
            file.write(line + "\n")
        return f"file-{reference}"


class TwilioSmsBackend(BaseSmsBackend):
    """Twilio's Messages resource: a form POST with basic auth, the delivery report to our webhook.

    Settings: ``SMS_ACCOUNT`` (the account SID), ``SMS_TOKEN`` (the auth token, also the webhook's
    signing key), ``SMS_FROM`` (the sender), ``SMS_API_URL`` (``https://api.twilio.com``) and
    ``PUBLIC_URL`` for the status callback.
    """

    def send(self, *, to, body, reference):
        url = f"{settings.SMS_API_URL.rstrip('/')}/2010-04-01/Accounts/{settings.SMS_ACCOUNT}/Messages.json"
        data = urllib.parse.urlencode(
            {
                "To": to,
                "From": settings.SMS_FROM,
                "Body": body,
                "StatusCallback": status_callback_url(reference),
            }
        ).encode()
        request = urllib.request.Request(url, data=data, method="POST")
        credentials = base64.b64encode(f"{settings.SMS_ACCOUNT}:{settings.SMS_TOKEN}".encode()).decode()
        request.add_header("Authorization", f"Basic {credentials}")
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            permanent = 400 <= error.code < 500 and error.code != 429
            raise SmsFailed(f"HTTP {error.code}: {detail}", permanent=permanent) from error
        except TimeoutError as error:
            raise SmsTimeout(str(error) or "timeout") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise SmsTimeout(str(error.reason)) from error
            raise SmsFailed(str(error.reason), permanent=False) from error
        return str(answer.get("sid", ""))


def status_callback_url(reference: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}/communication/sms/status/?ref={reference}"


def signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's request signature: HMAC-SHA1 over the full URL and the POST parameters sorted by name."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
