"""Commands for chasing: slipped deadlines, chaser letters and a calendar of deadlines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.app import (
    _check_committee,
    _tty,
    as_of_option,
    bom_option,
    committee_filter,
    force_option,
    forced,
    format_option,
    inside_repository,
    output_option,
    ref_option,
    responsible_filter,
    root_option,
    session,
    today,
    with_bom,
    write_output,
)
from tracker.model.textsafety import visible

if TYPE_CHECKING:
    from tracker.questions.chase import Letter


@click.command()
@root_option
@ref_option
@committee_filter()
@responsible_filter()
@as_of_option
@format_option()
@bom_option
@output_option
def slippage(committee: str, responsible: str, as_of: dt.date | None, fmt: str, bom: bool, output: str | None) -> None:
    """Items whose due date was moved: first and current dates, moves, days slipped and why, worst first.

    \b
    Example:
      tracker slippage --committee pcc
    """
    from tracker.questions import output as out
    from tracker.questions.chase import slip_rows, slipped
    from tracker.questions.query import Filters

    s = session()
    _check_committee(s, committee)
    when = today(as_of)
    slips = slipped(s.records, s.config, when, Filters(committee=committee, responsible=responsible))
    rows = slip_rows(s.records, s.config, slips, when)
    text = out.slippage_table(rows, fmt, when, s.config, to_terminal=output is None and _tty())
    write_output(with_bom(text, fmt, bom), output)


@click.command()
@root_option
@as_of_option
@committee_filter()
@responsible_filter("Only the letter to this person or body.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "eml", "csv"]), default="markdown", show_default=True,
              help="markdown letters; eml, one e-mail per body ready to send (needs -o DIR); csv, a mail-merge sheet.")
@click.option("-o", "--output-dir", "output_dir", type=click.Path(), default=None,
              help="markdown and eml: write one file per body into this existing folder; csv: write the sheet to this "
                   "file. Without it, markdown and csv are printed.")
@click.option("--from", "sender", default=None, metavar="ADDRESS",
              help='With eml: the From address, e.g. "Committee Clerk <clerk@example.gov.uk>" (default: email_from in '
                   "tracker.yaml).")
@bom_option
@click.option("--record", is_flag=True, help="Also write a follow-up event on each item chased.")
@click.option("--commit/--no-commit", default=None, help="With --record: commit the changed files (default from tracker.yaml).")
@click.option("--by", default=None, help="Who signs the letters and records the follow-ups (default: git user.name).")
@force_option
def remind(as_of: dt.date | None, committee: str, responsible: str, fmt: str, output_dir: str | None,
           sender: str | None, bom: bool, record: bool, commit: bool | None, by: str | None) -> None:
    """Draft a polite chaser to each person or body that owes something overdue or unanswered.

    Each letter lists the items owed, where they came from, when they were asked for and what is outstanding.
    The wording comes from templates/reminder.md.j2 (e-mails: reminder.txt.j2 and reminder.html.j2); a file of
    that name in the repository's templates/ wins. E-mails go to bodies.NAME.email and .contact in tracker.yaml.

    \b
    Examples:
      tracker remind --responsible MOPAC
      tracker remind -o letters/ --record --commit
      tracker remind --format eml --from "Committee Clerk <clerk@example.gov.uk>" -o outbox/
      tracker remind --format csv --bom -o chasers.csv
    """
    from tracker.questions.chase import letters, record_follow_ups, render_letters
    from tracker.storage.gitio import default_author

    from_address, target = _destination(fmt, output_dir, sender, committee)
    s = session()
    when = today(as_of)
    signer = default_author(s.root) if by is None else by
    forms = {"markdown": ("markdown",), "eml": ("text", "html"), "csv": ("text",)}[fmt]
    found = render_letters(s.config, letters(s.records, s.config, when, responsible, committee), when, sender=signer,
                           forms=forms)
    if not found:
        who = f" from {responsible}" if responsible else ""
        click.echo(f"nothing to chase{who} as of {when.isoformat()}", err=True)
        return
    if fmt == "csv":
        from tracker.publish.mail import merge_sheet

        write_output(merge_sheet(found, bom=bom), output_dir)
    elif fmt == "eml":
        _write_emails(found, target, from_address)
    elif target is None:
        click.echo("\n\n---\n\n".join(letter.text.rstrip("\n") for letter in found))
    else:
        from tracker.storage.writer import check_output_files, replace

        check_output_files(s.root, [target / letter.file_name for letter in found], force=forced(), option="-o")
        for letter in found:
            replace(target, letter.file_name, letter.text)
            click.echo(visible(f"wrote {target / letter.file_name} ({_items(len(letter.items))} to {letter.body})"),
                       err=True)
    if fmt != "markdown":
        from tracker.publish.mail import without_address

        for body in without_address(found):
            click.echo(visible(f"no email address for {body}: add bodies.{body}.email to tracker.yaml"), err=True)
    if record:
        chased = record_follow_ups(s.config, s.records, found, date=when, by=signer,
                                   commit=s.config.commit if commit is None else commit)
        click.echo(f"recorded a follow-up on {len(chased)} items", err=True)


def _destination(fmt: str, output_dir: str | None, sender: str | None, committee: str) -> tuple[str, Path | None]:
    """The From address of the e-mails ("" for other formats) and the folder the letters go into (None when they
    are printed); refused before anything is drafted when they cannot be worked out."""
    if fmt == "eml" and output_dir in (None, "-"):
        raise click.UsageError("e-mails are written one file per body; give -o DIR")
    s = session()
    _check_committee(s, committee)
    from_address = ""
    if fmt == "eml":
        from tracker.publish.mail import sender_address

        if not (sender or s.config.email_from):
            raise click.UsageError("an e-mail needs a From address: give --from ADDRESS or set email_from in tracker.yaml")
        from_address = sender_address(sender or s.config.email_from)
    if output_dir is None or fmt == "csv":
        return from_address, None
    root, rel = inside_repository(output_dir, "-o", folder=True)
    return from_address, root / rel


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _write_emails(found: list[Letter], target: Path | None, sender: str) -> None:
    from tracker.publish.mail import file_name, message
    from tracker.storage.writer import check_output_files, replace

    assert target is not None
    check_output_files(session().root, [target / file_name(letter) for letter in found], force=forced(), option="-o")
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    for letter in found:
        name = file_name(letter)
        replace(target, name, message(letter, sender=sender, when=stamp))
        to = f"{letter.contact.email}" if letter.contact.email else "no address yet"
        items = f"{len(letter.items)} item{'s' if len(letter.items) != 1 else ''}"
        click.echo(visible(f"wrote {target / name} ({items} to {letter.body}, {to})"), err=True)


@click.command()
@root_option
@ref_option
@committee_filter("Only this committee's deadlines.")
@responsible_filter()
@as_of_option
@output_option
def calendar(committee: str, responsible: str, as_of: dt.date | None, output: str | None) -> None:
    """Every open deadline (due dates and response due dates) as an iCalendar (.ics) file.

    Publish the file where a calendar program can reach it and subscribe to its address.

    \b
    Example:
      tracker calendar -o site/deadlines.ics
    """
    from tracker.publish.ical import calendar_text, deadlines
    from tracker.questions.query import Filters

    s = session()
    _check_committee(s, committee)
    when = today(as_of)
    found = deadlines(s.records, s.config, when, Filters(committee=committee, responsible=responsible))
    name = s.config.committees[committee].name if committee else "Committee deadlines"
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    text = calendar_text(found, name=f"{name} deadlines" if committee else name, stamp=stamp)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(text, output)
