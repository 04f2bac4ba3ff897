"""Commands that meet the clerk's other tools: spreadsheets out and in, published Summary Lists, editing, counts."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.app import (
    KIND_CHOICE,
    _author,
    _check_committee,
    as_of_option,
    bom_option,
    committee_filter,
    force_option,
    format_option,
    root_option,
    session,
    today,
    with_bom,
    write_output,
)
from tracker.cli.completion import complete_committees, complete_ids
from tracker.model.textsafety import visible

if TYPE_CHECKING:
    from tracker.exchange.importing import Batch, Change


def page_or_echo(text: str) -> None:
    """Long output through the pager at a terminal; straight out everywhere else."""
    import shutil

    if sys.stdout.isatty() and text.count("\n") > shutil.get_terminal_size().lines:
        click.echo_via_pager(text)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _commit(paths: list[str], message: str) -> None:
    """Commit exactly these files (the workflow's git support does the work)."""
    from tracker.storage.gitio import commit_paths

    commit_paths(session().root, paths, message)


# ---------------------------------------------------------------- export


@click.command("export")
@root_option
@click.option("--kind", type=KIND_CHOICE, default=None,
              help="Which records (required for csv; xlsx without it has one sheet per kind).")
@committee_filter("Only this committee's records.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx", "popolo"]), default="csv", show_default=True,
              help="csv or xlsx for spreadsheets, json for programs, popolo for open-data portals.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write to this file.")
@force_option
@bom_option
@as_of_option
def export_command(kind: str | None, committee: str, fmt: str, output: str | None, bom: bool, as_of: dt.date | None) -> None:
    """Write every field of every record, one row per record, for spreadsheets and open data.

    History is summarised as the latest event and a count; dates are ISO (2023-03-22).

    \b
    Examples:
      tracker export --kind action --format csv --bom -o actions.csv
      tracker export --format xlsx -o tracker.xlsx
      tracker export --format popolo -o open-data.json
    """
    from tracker.exchange import exchange
    from tracker.questions.output import to_json
    from tracker.text.csvtext import to_csv

    s = session()
    _check_committee(s, committee)
    if fmt == "xlsx" and output in (None, "-"):
        raise click.UsageError("an .xlsx workbook is a binary file and is not printed; give -o FILE.xlsx")
    if fmt == "popolo":
        from tracker.publish import popolo

        write_output(to_json(popolo.export(s.config, s.records, today(as_of))), output)
        return
    kinds = [kind] if kind else list(exchange.COLUMNS)
    if fmt == "csv" and not kind:
        raise click.UsageError("choose the records for the CSV with --kind (e.g. --kind action)")
    sheets = {k: (exchange.COLUMNS[k], exchange.export_rows(s.records, k, committee)) for k in kinds}
    if fmt == "xlsx":
        assert output is not None
        write_output(exchange.to_xlsx(sheets), output)
    elif fmt == "json":
        write_output(to_json(sheets[kind][1] if kind else {k: rows for k, (_, rows) in sheets.items()}), output)
    else:
        assert kind is not None
        columns, rows = sheets[kind]
        write_output(to_csv(rows, columns, bom=bom), output)


# ---------------------------------------------------------------- import


@click.group("import")
def import_group() -> None:
    """Bring records in from a spreadsheet or a published Summary List of Actions."""


def _report(changes: list[Change], dry_run: bool, unknown: list[str] | None = None) -> None:
    for heading in unknown or []:
        click.echo(visible(f"note: ignored the column {heading!r} (it names no field)"), err=True)
    verb = "would " if dry_run else ""
    for change in changes:
        click.echo(f"{verb}{change.verb} {change.rel_path}")
        for line in getattr(change, "fields", ()):
            click.echo(f"    {line}")
    created = sum(1 for c in changes if c.created)
    updated = len(changes) - created
    if not changes:
        click.echo("nothing to do: the records already say what the file says", err=True)
    else:
        click.echo(f"{'would create' if dry_run else 'created'} {created}, {'update' if dry_run else 'updated'} {updated} "
                   f"file{'s' if len(changes) != 1 else ''}" + (" (dry run: nothing written)" if dry_run else ""), err=True)


def _finish(batch: Batch, dry_run: bool, commit: bool, message: str) -> list[Change]:
    if dry_run:
        batch.check()
        return batch.planned()
    if commit:
        from tracker.storage.gitio import check_can_commit

        check_can_commit(session().root)
    from tracker.cli.progress import Progress

    bar = Progress("writing", len(batch.changes))
    try:
        changes = batch.write(bar)
    finally:
        bar.close()
    if commit and changes:
        _commit([c.rel_path for c in changes], message)
    return changes


@import_group.command("csv")
@root_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["action", "recommendation"]), required=True, help="What each row is.")
@click.option("--committee", default="", shell_complete=complete_committees,
              help="The committee of every row (unless the sheet has a Committee column).")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would change; write nothing.")
@click.option("--update", is_flag=True,
              help="Let rows change the fields of records that exist (each change is kept in their history).")
@click.option("--commit/--no-commit", default=None, help="Commit the files written (default from tracker.yaml).")
@as_of_option
@click.option("--by", default=None, help="Who is recording this (default: git user.name).")
def import_csv(file: str, kind: str, committee: str, dry_run: bool, update: bool, commit: bool | None,
               as_of: dt.date | None, by: str | None) -> None:
    """Create or update records from a spreadsheet (.csv or .xlsx) with a header row.

    Columns are matched to fields by name, ignoring case: "Item No.", "Item Title", "Responsible Person",
    "Action(s)", "Status", "Meeting", "Due"; or the columns `tracker export` writes. Every row is checked first:
    if any row is wrong, each is reported with its row number and nothing is written. Importing the same file
    again changes nothing. Two rows for one record are refused; a row that would change the fields of an
    existing record is refused, naming each field, unless --update is given.

    \b
    Example:
      tracker import csv actions.csv --kind action --committee pcc --dry-run
    """
    from tracker.exchange.exchange import import_table, read_table

    s = session()
    _check_committee(s, committee)
    rows = read_table(Path(file), sheet=kind)
    from tracker.cli.progress import Progress

    bar = Progress("checking rows", len(rows) - 1)
    try:
        batch, unknown = import_table(s.config, s.records, rows, kind=kind, committee=committee, source=file,
                                      as_of=today(as_of), by=_author(by), progress=bar,
                                      update=update)
    finally:
        bar.close()
    changes = _finish(batch, dry_run, s.config.commit if commit is None else commit, f"Import {Path(file).name}")
    _report(changes, dry_run, unknown)


@import_group.command("summary")
@root_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--committee", required=True, shell_complete=complete_committees, help="The committee whose list it is.")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would change; write nothing.")
@click.option("--commit/--no-commit", default=None, help="Commit the files written (default from tracker.yaml).")
@as_of_option
@click.option("--by", default=None, help="Who is recording this (default: git user.name).")
def import_summary(file: str, committee: str, dry_run: bool, commit: bool | None, as_of: dt.date | None,
                   by: str | None) -> None:
    """Create the meetings and actions a published Summary List of Actions gives (Markdown or HTML).

    The Status cell sets the status and notes: "Ongoing. Followed-up on 12 April 2023." records a follow-up on
    that day; "Completed. Attached at Appendix 1." records the completion, dated --as-of (default: the report's
    own date). Actions already recorded get only the news.

    \b
    Example:
      tracker import summary agenda-2023-05-24.md --committee pcc
    """
    from tracker.exchange.summary import import_summary as plan
    from tracker.model.errors import TrackerError

    s = session()
    _check_committee(s, committee)
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise TrackerError(f"{file}: cannot read as UTF-8 text ({err})") from None
    batch = plan(s.config, s.records, text, committee=committee, source=file, as_of=as_of, by=_author(by))
    changes = _finish(batch, dry_run, s.config.commit if commit is None else commit,
                      f"Import the Summary List of Actions {Path(file).name}")
    _report(changes, dry_run)


# ---------------------------------------------------------------- edit


@click.command("edit")
@root_option
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
def edit_command(record_id: str) -> None:
    """Open a record in your editor ($VISUAL or $EDITOR); it is checked when you save.

    If the record would not be valid, the problems are listed and, at a terminal, you are asked whether to
    edit it again (with the problems at the top); otherwise nothing is saved and the command fails. Quit
    without saving (or save it unchanged) to keep the file as it was.

    \b
    Example:
      EDITOR=nano tracker edit pcc-2023-03-22-6a
    """
    from tracker.cli.app import interactive
    from tracker.edits.editing import check_edit, strip_errors, with_errors
    from tracker.model.errors import TrackerError
    from tracker.storage.writer import replace

    s = session()
    record: Any = s.records.get(record_id)
    original = (s.root / record.path).read_text(encoding="utf-8")
    text = original
    while True:
        edited = click.edit(text, extension=".yaml", require_save=True)
        if edited is None:
            click.echo(f"no change: {record.path} kept as it was", err=True)
            return
        edited = strip_errors(edited)
        if edited == original:
            click.echo(f"no change: {record.path} kept as it was", err=True)
            return
        problems = check_edit(s.config, s.records, record, edited)
        if not problems:
            replace(s.root, record.path, edited)
            click.echo(f"saved {record.path}", err=True)
            return
        for problem in problems:
            click.echo(visible(f"error: {problem}"), err=True)
        # Never reopen the editor unasked: an editor that saves without anyone at it would loop for ever.
        if not (interactive() and click.confirm("edit it again? (no keeps the file as it was)", default=True,
                                                err=True)):
            raise TrackerError(f"{record.path} was not saved: the edited record would not be valid; "
                               "the file is as it was", problems, hint=f"`tracker edit {record.id}` to try again")
        text = with_errors(edited, problems)


# ---------------------------------------------------------------- stats


@click.command("stats")
@root_option
@as_of_option
@format_option("table", "json", "csv", "markdown")
@bom_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write to this file.")
@force_option
def stats_command(as_of: dt.date | None, fmt: str, bom: bool, output: str | None) -> None:
    """Counts by committee, kind, status and responsible body, and the median days items stay open.

    \b
    Example:
      tracker stats --as-of 2023-05-24
    """
    from tracker.questions import output as out
    from tracker.questions.stats import rows, stats
    from tracker.text.csvtext import to_csv
    from tracker.text.markdown import table as markdown_table

    s = session()
    result = stats(s.config, s.records, today(as_of))
    flat = rows(result)
    if fmt == "json":
        text = out.to_json(result)
    elif fmt == "csv":
        text = with_bom(to_csv(flat, ["group", "key", "count"]), fmt, bom)
    elif fmt == "markdown":
        text = markdown_table(["Group", "Key", "Count"], [[r["group"], r["key"], str(r["count"])] for r in flat])
    else:
        text = out.plain_table(["Group", "Key", "Count"], [[r["group"], r["key"], str(r["count"])] for r in flat])
    if output is None:
        page_or_echo(text)
    else:
        write_output(text, output)
