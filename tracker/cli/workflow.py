"""Commands that change the state of records, and commands that show how records changed in git."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker.cli.app import DATE, PARTIAL_DATE, format_option, output_option, root_option, session, write_output
from tracker.cli.completion import complete_bodies, complete_ids, complete_reports, complete_statuses, complete_trackable_ids

if TYPE_CHECKING:
    from tracker.edits.workflow import Change
    from tracker.model.dates import PartialDate
    from tracker.model.numbers import Number
    from tracker.model.records import Record

F = TypeVar("F", bound=Callable[..., Any])
POSITIONS = ("accepted", "partially-accepted", "not-accepted", "noted")


def _write_options(func: F) -> F:
    """The options every write shares: --date, --by and --commit/--no-commit."""
    func = click.option("--commit/--no-commit", "commit", default=None,
                        help="Commit exactly the files this command changes (default: `commit` in tracker.yaml).")(func)
    func = click.option("--by", default=None, help="Who is recording this (default: git user.name).")(func)
    return click.option("--date", "date", type=DATE, default=None,
                        help="When it happened (default: today). Not in the future, not before the last event.")(func)


def _author(by: str | None) -> str:
    if by is not None:
        return by
    from tracker.storage.gitio import default_author

    return default_author(session().root)


def _apply(change: Change, commit: bool | None) -> None:
    from tracker.edits.workflow import apply

    s = session()
    do_commit = s.config.commit if commit is None else commit
    written = apply(s.config, [change], commit=do_commit, message="")
    for done in written:
        for edit in done.edits:
            click.echo(f"{'updated' if edit.before is not None else 'created'} {edit.rel_path}", err=True)
        if do_commit:
            click.echo("committed", err=True)
        click.echo(done.summary)
        for line in done.details:
            click.echo(line)


@click.command()
@root_option
@click.argument("record_id", metavar="ID", shell_complete=complete_trackable_ids)
@click.option("--status", required=True, shell_complete=complete_statuses(),
              help="The new status, e.g. completed (see tracker.yaml for the list).")
@click.option("--note", default="", help="What happened, in a sentence or two.")
@click.option("--reopen", is_flag=True, help="Allow moving a done record back to an open status.")
@click.option("--evidence", default="", help="A link or description proving it; required for some statuses.")
@_write_options
def update(record_id: str, status: str, note: str, reopen: bool, evidence: str, date: dt.date | None,
           by: str | None, commit: bool | None) -> None:
    """Change a record's status, adding a dated event to its history.

    \b
    Examples:
      tracker update pcc-2023-03-22-6a --status completed --note "Survey received."
      tracker update pcc-missing-children-in-london-r2 --status implemented --evidence https://...
    """
    from tracker.edits.workflow import update_status

    s = session()
    change = update_status(s.config, s.records, record_id, status=status, date=date, note=note, by=_author(by),
                           reopen=reopen, evidence=evidence)
    _apply(change, commit)


@click.command()
@root_option
@click.argument("record_id", metavar="ID", shell_complete=complete_trackable_ids)
@click.option("--note", required=True, help="The note, in Markdown.")
@click.option("--at-meeting", "at_meeting", default=None, metavar="MEETING",
              help="A remark made at this meeting (its ID or date), not an update; dated that day by default.")
@_write_options
def note(record_id: str, note: str, at_meeting: str | None, date: dt.date | None, by: str | None,
         commit: bool | None) -> None:
    """Add a dated note to a record's history without changing its status.

    \b
    Examples:
      tracker note pcc-standing-complaints --note "No complaints received this quarter."
      tracker note osc-2022-03-24-3a --at-meeting 2022-03-24 --note "Members asked for ward figures."
    """
    from tracker.edits.workflow import add_note
    from tracker.model.records import Meeting

    s = session()
    meeting = ""
    if at_meeting:
        record: Any = s.records.get(record_id)
        committee = s.records.committee_of(record)
        found = s.records.get(f"{committee}-{at_meeting}" if at_meeting[:4].isdigit() else at_meeting, Meeting)
        meeting, date = found.id, date or found.date
    _apply(add_note(s.config, s.records, record_id, note=note, date=date, by=_author(by), at_meeting=meeting), commit)


@click.command()
@root_option
@click.argument("record_id", metavar="ID", shell_complete=complete_trackable_ids)
@click.option("--note", default="", help="How they were chased, or what they said.")
@_write_options
def followup(record_id: str, note: str, date: dt.date | None, by: str | None, commit: bool | None) -> None:
    """Record that the responsible person or body was chased ("Followed-up on 4 May 2023.").

    \b
    Example:
      tracker followup pcc-2023-03-22-6a --date 2023-05-04
    """
    from tracker.edits.workflow import follow_up

    s = session()
    _apply(follow_up(s.config, s.records, record_id, date=date, note=note, by=_author(by)), commit)


@click.command()
@root_option
@click.argument("record_id", metavar="ID", shell_complete=complete_trackable_ids)
@click.option("--due", type=PARTIAL_DATE, required=True, help="The new due date: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--reason", required=True, help="Why the date moved (kept with the record for good).")
@_write_options
def reschedule(record_id: str, due: PartialDate, reason: str, date: dt.date | None, by: str | None,
               commit: bool | None) -> None:
    """Move a record's due date, keeping the old date and the reason in its history.

    \b
    Example:
      tracker reschedule pcc-missing-children-in-london-r2 --due 2024-03 \\
        --reason "MOPAC asked for three more months to finish the research."
    """
    from tracker.edits import workflow

    s = session()
    _apply(workflow.reschedule(s.config, s.records, record_id, due=due, reason=reason, date=date, by=_author(by)),
           commit)


def _positions(values: tuple[str, ...], numbers: list[Number]) -> dict[Number, str]:
    """--position accepted (all), or --position 1,2=accepted --position 7=not-accepted."""
    from tracker.cli.app import parse_numbers

    positions: dict[Number, str] = {}
    for value in values:
        which, _, position = value.rpartition("=")
        if position not in POSITIONS:
            raise click.BadParameter(f"{value!r}: the position must be one of {', '.join(POSITIONS)}",
                                     param_hint="--position")
        for number in parse_numbers(which) if which else numbers:
            if number not in numbers:
                raise click.BadParameter(f"{value!r}: recommendation {number} is not in --recommendations",
                                         param_hint="--position")
            positions[number] = position
    return positions


def _texts_for(values: tuple[str, ...], numbers: list[Number]) -> dict[Number, str]:
    """--text-for 5a="Agreed; a review is under way." → {"5a": "Agreed; a review is under way."}."""
    from tracker.model.numbers import parse_number

    texts: dict[Number, str] = {}
    for value in values:
        which, equals, text = value.partition("=")
        try:
            number = parse_number(which)
        except ValueError:
            number = None
        if not equals or number is None or not text.strip():
            raise click.BadParameter(f"{value!r}: write N=TEXT, e.g. 5a=\"Agreed.\"", param_hint="--text-for")
        if number not in numbers:
            raise click.BadParameter(f"{value!r}: recommendation {number} is not in --recommendations",
                                     param_hint="--text-for")
        texts[number] = text.strip()
    return texts


@click.command()
@root_option
@click.option("--report", required=True, shell_complete=complete_reports, help="The report's slug or ID.")
@click.option("--recommendations", required=True, help="The recommendation numbers it answers, e.g. 1,2,7 or 1-3.")
@click.option("--from", "from_body", required=True, shell_complete=complete_bodies, help="The body that responded.")
@click.option("--date", type=DATE, required=True, help="The date of the response.")
@click.option("--text", "--summary", "text", required=True, help="What the response says, in brief.")
@click.option("--url", default="", help="Where the response is published.")
@click.option("--position", "positions", multiple=True, metavar="[N,N=]POSITION",
              help=f"The body's position ({', '.join(POSITIONS)}): for all, or N=POSITION for some. Repeatable.")
@click.option("--text-for", "texts", multiple=True, metavar="N=TEXT",
              help="What the response says to recommendation N (5 or 5a), in its own words. Repeatable.")
@click.option("--appendix", default="", help="Where it is attached in the papers, e.g. Appendix 1.")
@click.option("--by", default=None, help="Who is recording this (default: git user.name).")
@click.option("--commit/--no-commit", "commit", default=None,
              help="Commit exactly the files this command changes (default: `commit` in tracker.yaml).")
def respond(report: str, recommendations: str, from_body: str, date: dt.date, text: str, url: str,
            positions: tuple[str, ...], texts: tuple[str, ...], appendix: str, by: str | None,
            commit: bool | None) -> None:
    """Record a response to a report; answered recommendations awaiting a response move on.

    Each answered recommendation whose status is awaiting-response moves to the status tracker.yaml's
    after_response gives for the body's position (accepted → accepted, otherwise in-progress by default).

    \b
    Example:
      tracker respond --report probation-services-in-london --recommendations 1,2,7 \\
        --from HMPPS --date 2023-03-17 --text "Response from the Regional Probation Director." \\
        --position 1,2=accepted --position 7=noted --text-for 7="Noted; for the courts to decide."
    """
    from tracker.cli.app import parse_numbers
    from tracker.edits.workflow import respond as record_response

    s = session()
    numbers = parse_numbers(recommendations)
    change = record_response(s.config, s.records, report=report, numbers=numbers, from_body=from_body, date=date,
                             text=text, url=url, appendix=appendix, positions=_positions(positions, numbers),
                             texts=_texts_for(texts, numbers), by=_author(by))
    _apply(change, commit)


@click.command()
@root_option
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
@format_option("text", "json", default="text")
def history(record_id: str, fmt: str) -> None:
    """A record's timeline: its history events and the git commits that changed its file, oldest first.

    \b
    Example:
      tracker history pcc-2023-03-22-6a
    """
    from tracker.questions import timeline
    from tracker.storage.gitio import file_commits

    s = session()
    record: Record = s.records.get(record_id)
    entries = timeline.merge(record, file_commits(s.root, record.path))
    if fmt == "json":
        from tracker.questions.output import to_json

        click.echo(to_json([entry.to_json() for entry in entries]), nl=False)
        return
    click.echo(timeline.as_text(s.config, record, entries), nl=False)


@click.command()
@root_option
@click.argument("rev_range", metavar="[RANGE]", required=False, default=None)
@format_option("table", "markdown", "json", default="table")
@output_option
def changes(rev_range: str | None, fmt: str, output: str | None) -> None:
    """What a branch or pull request changes, record by record.

    Without RANGE: the working tree against the last commit. `main...HEAD`: what the current branch adds
    since it left main (a pull request). `A..B`: from A to B. A single revision: from it to the working tree.

    \b
    Examples:
      tracker changes
      tracker changes main...HEAD --format markdown
    """
    from tracker.questions import changes as core

    s = session()
    report = core.compare(s.root, rev_range)
    write_output(core.render(report, fmt, s.config), output)
