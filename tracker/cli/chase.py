"""Commands for chasing: slipped deadlines, chaser letters and a calendar of deadlines."""

from __future__ import annotations

import datetime as dt

import click

from tracker.cli.app import (
    _check_committee,
    _tty,
    as_of_option,
    committee_filter,
    format_option,
    inside_repository,
    output_option,
    ref_option,
    responsible_filter,
    root_option,
    session,
    today,
    write_output,
)


@click.command()
@root_option
@ref_option
@committee_filter()
@responsible_filter()
@as_of_option
@format_option()
@output_option
def slippage(committee: str, responsible: str, as_of: dt.date | None, fmt: str, output: str | None) -> None:
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
    write_output(out.slippage_table(rows, fmt, when, s.config, to_terminal=output is None and _tty()), output)


@click.command()
@root_option
@as_of_option
@committee_filter()
@responsible_filter("Only the letter to this person or body.")
@click.option("-o", "--output-dir", "output_dir", type=click.Path(file_okay=False), default=None,
              help="Write one Markdown file per body into this existing folder instead of printing.")
@click.option("--record", is_flag=True, help="Also write a follow-up event on each item chased.")
@click.option("--commit/--no-commit", default=None, help="With --record: commit the changed files (default from tracker.yaml).")
@click.option("--by", default=None, help="Who signs the letters and records the follow-ups (default: git user.name).")
def remind(as_of: dt.date | None, committee: str, responsible: str, output_dir: str | None, record: bool,
           commit: bool | None, by: str | None) -> None:
    """Draft a polite chaser to each person or body that owes something overdue or unanswered.

    Each letter lists the items owed, where they came from, when they were asked for and what is outstanding.
    The wording comes from templates/reminder.md.j2 (a file of that name in the repository's templates/ wins).

    \b
    Examples:
      tracker remind --responsible MOPAC
      tracker remind -o letters/ --record --commit
    """
    from tracker.questions.chase import letters, record_follow_ups, render_letters
    from tracker.storage.gitio import default_author

    s = session()
    _check_committee(s, committee)
    when = today(as_of)
    target = None
    if output_dir is not None:
        root, rel = inside_repository(output_dir, "-o", folder=True)
        target = root / rel
    signer = default_author(s.root) if by is None else by
    found = render_letters(s.config, letters(s.records, s.config, when, responsible, committee), when, sender=signer)
    if not found:
        who = f" from {responsible}" if responsible else ""
        click.echo(f"nothing to chase{who} as of {when.isoformat()}", err=True)
        return
    if target is None:
        click.echo("\n\n---\n\n".join(letter.text.rstrip("\n") for letter in found))
    else:
        from tracker.storage.writer import replace

        for letter in found:
            replace(target, letter.file_name, letter.text)
            click.echo(f"wrote {target / letter.file_name} ({len(letter.items)} items to {letter.body})",
                       err=True)
    if record:
        chased = record_follow_ups(s.config, s.records, found, date=when, by=signer,
                                   commit=s.config.commit if commit is None else commit)
        click.echo(f"recorded a follow-up on {len(chased)} items", err=True)


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
