"""E-mail messages (.eml, stdlib email): the text/plain part, else the HTML part; headers."""

from __future__ import annotations

import email
import email.policy
import email.utils
from email.message import EmailMessage
from pathlib import Path
from typing import cast

from annotator.io.documents.html import extract_html
from annotator.io.documents.registry import ImportRefused, register
from annotator.io.documents.rich import Extracted, FormattedImporter, iso_date
from annotator.io.documents.text import decode_bytes

_HEADERS = ("From", "Date", "Subject", "To", "Message-ID", "Received", "MIME-Version")


def _author(message: EmailMessage) -> str:
    """The sender's display name, else the address."""
    name, address = email.utils.parseaddr(str(message.get("From", "") or ""))
    return name or address


def _published(message: EmailMessage) -> str:
    try:
        sent = email.utils.parsedate_to_datetime(str(message.get("Date", "") or ""))
    except (TypeError, ValueError, IndexError):
        return ""
    return iso_date(sent)


def _part_text(part: EmailMessage) -> str:
    """A part's decoded text: the declared charset, else the text importer's detection."""
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        return decode_bytes(payload)[0]


class EmlImporter(FormattedImporter):
    """One message per .eml file. Attachments are not imported (add them as files)."""

    name = "E-mail message"
    kind = "e-mail"
    extensions: tuple[str, ...] = (".eml",)

    def extract(self, data: bytes, path: Path) -> Extracted:
        decode_bytes(data)  # refuses binary data with the text importer's message
        message = cast(EmailMessage, email.message_from_bytes(data, policy=email.policy.default))
        if not any(message.get(h) for h in _HEADERS):
            raise ImportRefused(None, "not an e-mail message (no From, Date or Subject header)")
        metadata = {"author": _author(message), "published": _published(message)}
        title = str(message.get("Subject", "") or "")
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            raise ImportRefused(None, "the message has no text or HTML part")
        text = _part_text(body)
        if body.get_content_subtype() == "html":
            page = extract_html(text)
            text = page.text
            metadata = {k: v for k, v in page.metadata.items() if v} | {
                k: v for k, v in metadata.items() if v
            }
        return Extracted(text=text, title=title, metadata=metadata)


register(EmlImporter())
