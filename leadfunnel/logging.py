"""A logging filter that keeps personal data and secrets out of the logs.

Logs are read by more people and kept longer than the database, and they are not erased
with a contact: whatever reaches them must carry ids, never e-mails, credentials or keys.
Messages should be written that way already; this filter is the net under them, for the
libraries' messages (Django's "Not Found: /path?email=...", a database error quoting the
duplicate key's e-mail) and a careless ``logger.info("%s", request.data)``.
"""

import logging
import re

MASK = "***"

_EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# "Authorization: Token 9944b0...", "'HTTP_AUTHORIZATION': 'Bearer ...'", a bare "Token <key>".
_CREDENTIALS = re.compile(r"\b(Token|Bearer|Basic)(\s+)[\w.~+/=-]{8,}", re.IGNORECASE)
# "password=...", "'secret': '...'", '"api_key": "..."', "sessionid=...", "token: ..."
_SECRET_VALUE = re.compile(
    r"(?P<name>[\w-]*(?:password|passwd|secret|token|api[_-]?key|sessionid|session_key|"
    r"authorization)[\w-]*)(?P<sep>['\"]?\s*[:=]\s*[(\[]?['\"]?)"
    r"(?P<value>(?<=')[^']+|(?<=\")[^\"]+|[^\s'\",&;)\]}]+)",  # quoted: up to its quote
    re.IGNORECASE,
)
_KEYS = re.compile(r"\bwhsec_[\w-]+|\b[0-9a-f]{40}\b")  # webhook secrets, DRF token keys


def mask(text: str) -> str:
    """``text`` with every e-mail address, credential and secret value replaced by ***."""
    text = _EMAIL.sub(MASK, text)
    text = _CREDENTIALS.sub(rf"\1\2{MASK}", text)
    text = _SECRET_VALUE.sub(rf"\g<name>\g<sep>{MASK}", text)
    return _KEYS.sub(MASK, text)


class MaskPersonalData(logging.Filter):
    """Masks the formatted message, the exception text and the stack of every record.

    Attached to the handlers (``LOGGING``), so it sees the records of every logger that
    reaches them, Django's and the libraries' included. The record is rewritten in place:
    its arguments are merged into the message first, as they may hold the personal data.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True
