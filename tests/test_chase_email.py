"""Chasers ready to send: `tracker remind --format eml` (one RFC 5322 message per body) and `--format csv` (a
mail-merge sheet), addressed from bodies.NAME.email and .contact in tracker.yaml."""

from __future__ import annotations

import csv
import io
from email.parser import BytesParser
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from tracker.text.markdown import safe_url

AS_OF = "2024-01-15"
CLERK = "Committee Clerk <clerk@example.gov.uk>"
CONTACTS = {
    "  MOPAC:\n    aliases: [Mayor's Office for Policing and Crime]\n":
        "  MOPAC:\n    aliases: [Mayor's Office for Policing and Crime]\n"
        "    email: private.office@mopac.example.org\n    contact: Jane Smith\n",
    "  HM Prison & Probation Service:\n": "  HM Prison & Probation Service:\n    email: london@hmpps.example.org\n",
}


@pytest.fixture
def addressed(bundled: Path) -> Path:
    """The bundled records with e-mail addresses for MOPAC (and a contact) and HMPPS, and a From address."""
    config = bundled / "tracker.yaml"
    text = config.read_text(encoding="utf-8")
    for old, new in CONTACTS.items():
        assert old in text
        text = text.replace(old, new)
    config.write_text(text + f'email_from: "{CLERK}"\n', encoding="utf-8")
    return bundled


def _read(path: Path):
    with path.open("rb") as handle:
        return BytesParser(policy=default).parse(handle)


def test_one_message_per_body_with_to_subject_and_both_parts(addressed, run):
    outbox = addressed / "outbox"
    outbox.mkdir()
    done = run(addressed, "remind", "--as-of", AS_OF, "--format", "eml", "-o", str(outbox), "--by", "A. Clerk")
    assert done.exit_code == 0, done.stderr
    assert sorted(p.suffix for p in outbox.iterdir()) == [".eml"] * 21
    mail = _read(outbox / "mopac.eml")
    assert mail["To"] == "Jane Smith <private.office@mopac.example.org>"
    assert mail["To"].addresses[0].addr_spec == "private.office@mopac.example.org"
    assert mail["From"] == CLERK
    assert mail["Subject"] == "Police and Crime Committee: 24 outstanding items"
    assert parsedate_to_datetime(mail["Date"]).tzinfo is not None
    assert mail["Message-ID"].startswith("<") and mail["Message-ID"].endswith("@example.gov.uk>")
    assert mail.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in mail.iter_parts()}
    assert list(parts) == ["text/plain", "text/html"]
    assert parts["text/plain"].startswith("Dear Jane Smith,\n")
    assert "Our reference: pcc-probation-services-in-london-r1" in parts["text/plain"]
    assert parts["text/plain"].rstrip().endswith("A. Clerk\nPolice and Crime Committee")
    assert "<li>Our reference: pcc-probation-services-in-london-r1</li>" in parts["text/html"]
    assert parts["text/html"].count("<li>\n<p><strong>") == 24
    hmpps = _read(outbox / "hm-prison-probation-service.eml")
    assert hmpps["To"] == "HM Prison & Probation Service <london@hmpps.example.org>"
    assert hmpps["Subject"] == "Police and Crime Committee: 6 outstanding items"
    assert f"wrote {outbox / 'mopac.eml'} (24 items to MOPAC, private.office@mopac.example.org)" in done.stderr


def test_a_body_without_an_address_is_written_and_listed(addressed, run):
    outbox = addressed / "outbox"
    outbox.mkdir()
    done = run(addressed, "remind", "--as-of", AS_OF, "--format", "eml", "-o", str(outbox))
    assert done.exit_code == 0
    mail = _read(outbox / "uk-government.eml")
    assert mail["To"] is None and mail["Subject"] == "Police and Crime Committee: 1 outstanding item"
    assert "no email address for UK Government: add bodies.UK Government.email to tracker.yaml" in done.stderr
    assert "no email address for MOPAC" not in done.stderr
    assert done.stderr.count("no email address for") == 19


def test_record_text_is_escaped_in_the_html_part(addressed, run):
    path = next(addressed.glob("records/**/pcc-missing-children-in-london-r5.yaml"))
    text = path.read_text(encoding="utf-8")
    start, end = text.index("text:"), text.index("\nto:")
    path.write_text(text[:start] + 'text: "<script>alert(1)</script> **urgent**\\n\\n- one\\n- two"' + text[end:],
                    encoding="utf-8")
    outbox = addressed / "outbox"
    outbox.mkdir()
    assert run(addressed, "remind", "--as-of", AS_OF, "--format", "eml", "-o", str(outbox),
               "--responsible", "UK Government").exit_code == 0
    mail = _read(outbox / "uk-government.eml")
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>urgent</strong></p><ul><li>one</li><li>two</li></ul>" in html
    assert "<script>alert(1)</script> **urgent**" in mail.get_body(("plain",)).get_content()


def test_safe_url_keeps_only_web_and_mail_links():
    assert safe_url("https://www.london.gov.uk/x") == "https://www.london.gov.uk/x"
    assert safe_url("mailto:clerk@example.gov.uk") == "mailto:clerk@example.gov.uk"
    assert safe_url("javascript:alert(1)") == "" and safe_url(" JavaScript:alert(1)") == ""


def test_from_is_required_and_checked(bundled, run):
    outbox = bundled / "outbox"
    outbox.mkdir()
    missing = run(bundled, "remind", "--as-of", AS_OF, "--format", "eml", "-o", str(outbox))
    assert missing.exit_code == 2 and "give --from ADDRESS or set email_from in tracker.yaml" in missing.stderr
    bad = run(bundled, "remind", "--as-of", AS_OF, "--format", "eml", "-o", str(outbox), "--from", "the clerk")
    assert bad.exit_code == 1 and "error: 'the clerk' is not an e-mail address" in bad.stderr
    assert list(outbox.iterdir()) == []
    given = run(bundled, "remind", "--as-of", AS_OF, "--format", "eml", "-o", str(outbox), "--from", "clerk@example.org",
                "--responsible", "MOPAC")
    assert given.exit_code == 0 and _read(outbox / "mopac.eml")["From"] == "clerk@example.org"
    assert run(bundled, "remind", "--as-of", AS_OF, "--format", "eml").exit_code == 2


def test_a_mail_merge_sheet(addressed, run):
    done = run(addressed, "remind", "--as-of", AS_OF, "--format", "csv")
    assert done.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 21 and list(rows[0]) == ["name", "email", "contact", "count", "subject", "letter"]
    mopac = next(row for row in rows if row["name"] == "MOPAC")
    assert (mopac["email"], mopac["contact"], mopac["count"]) == ("private.office@mopac.example.org", "Jane Smith", "24")
    assert mopac["subject"] == "Police and Crime Committee: 24 outstanding items"
    assert mopac["letter"].startswith("Dear Jane Smith,\n") and "pcc-probation-services-in-london-r1" in mopac["letter"]
    sheet = addressed / "chasers.csv"
    assert run(addressed, "remind", "--as-of", AS_OF, "--format", "csv", "--bom", "-o", str(sheet)).exit_code == 0
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbfname,email,contact,count,subject,letter\r\n")


def test_markdown_stays_the_default(addressed, run):
    done = run(addressed, "remind", "--as-of", AS_OF, "--responsible", "MOPAC")
    assert "\n---\n\nTo: MOPAC\nDate: 15 January 2024\n" in done.stdout and "## 1. " in done.stdout


def test_a_bad_address_in_tracker_yaml_names_its_line(bundled, run):
    config = bundled / "tracker.yaml"
    text = config.read_text(encoding="utf-8").replace("  MOPAC:\n", "  MOPAC:\n    email: not an address\n")
    config.write_text(text, encoding="utf-8")
    done = run(bundled, "remind", "--as-of", AS_OF)
    assert done.exit_code == 1 and "Traceback" not in done.stderr
    line = text.splitlines().index("    email: not an address") + 1
    assert f"tracker.yaml:{line}:" in done.stderr and "bodies.MOPAC.email" in done.stderr
