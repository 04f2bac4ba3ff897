"""Chasers ready to send: each letter as an RFC 5322 message (.eml) a mail program opens as a draft, or all of them
as one mail-merge sheet.

Messages are built with Python's `email` package, so headers are encoded and folded by it and no record text can
add a header; the HTML part comes from an autoescaped template.
"""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid

from tracker.model.errors import TrackerError
from tracker.questions.chase import Letter
from tracker.text.csvtext import to_csv

SHEET_COLUMNS = ["name", "email", "contact", "count", "subject", "letter"]


def sender_address(given: str) -> str:
    """The From address as given ("Committee Clerk <clerk@example.gov.uk>" or a bare address), checked."""
    found = getaddresses([given]) if given and "\n" not in given and "\r" not in given else []
    if len(found) != 1 or "@" not in found[0][1] or not found[0][1].split("@")[1]:
        raise TrackerError(f"{given!r} is not an e-mail address",
                           hint='give --from "Committee Clerk <clerk@example.gov.uk>" or set email_from in tracker.yaml')
    name, address = found[0]
    return str(Address(display_name=name, addr_spec=address))


def message(letter: Letter, *, sender: str, when: dt.datetime) -> bytes:
    """The letter as one e-mail: To the body's contact and address (none when tracker.yaml has no address for it),
    From the sender, a Subject naming the committee and the count, a plain-text and an HTML part.

    X-Unsent marks it as a draft, so Outlook opens it ready to send rather than as a received message.
    """
    mail = EmailMessage(policy=SMTP)
    contact = letter.contact
    if contact.email:
        mail["To"] = Address(display_name=" ".join((contact.name or letter.body).split()), addr_spec=contact.email)
    mail["From"] = sender
    mail["Subject"] = letter.subject
    mail["Date"] = format_datetime(when)
    mail["Message-ID"] = make_msgid(idstring=letter.file_stem or None, domain=sender.rpartition("@")[2].rstrip(">"))
    mail["X-Unsent"] = "1"
    mail.set_content(letter.forms["text"])
    mail.add_alternative(letter.forms["html"], subtype="html")
    return mail.as_bytes()


def file_name(letter: Letter) -> str:
    return f"{letter.file_stem}.eml"


def merge_sheet(letters: list[Letter], bom: bool = False) -> str:
    """One row per body for a mail merge: name, email, contact, count, subject and the letter's text."""
    rows = [{"name": letter.body, "email": letter.contact.email, "contact": letter.contact.name,
             "count": len(letter.items), "subject": letter.subject, "letter": letter.forms["text"]} for letter in letters]
    return to_csv(rows, SHEET_COLUMNS, bom=bom)


def without_address(letters: list[Letter]) -> list[str]:
    """The bodies whose letters have nowhere to go yet."""
    return [letter.body for letter in letters if not letter.contact.email]
