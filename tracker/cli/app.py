"""The `tracker` main group, the options the command modules share, and the core commands (init, new, list,
show, overdue, validate): parse arguments, call the core, format what comes back.

Only click is imported at start-up; every command imports the core modules it needs.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker import __version__
from tracker.cli.completion import complete_bodies, complete_committees, complete_ids, complete_reports, complete_statuses

if TYPE_CHECKING:
    from tracker.model.dates import PartialDate
    from tracker.model.errors import Problem
    from tracker.model.numbers import Number
    from tracker.model.recordset import RecordSet
    from tracker.storage.config import Config
    from tracker.storage.parts import Compute, Needs
    from tracker.storage.store import Snapshot

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
FORMATS = ("table", "json", "csv", "markdown")


class TrackerGroup(click.Group):
    """Turns a TrackerError into a plain message on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from tracker.model.errors import TrackerError

        try:
            return super().invoke(ctx)
        except TrackerError as err:
            from tracker.model.textsafety import visible

            click.echo(visible(f"error: {err.message}"), err=True)
            if err.hint:
                click.echo(visible(f"hint: {err.hint}"), err=True)
            ctx.exit(1)
        except BrokenPipeError:
            # The reader (e.g. `head`) went away; that is not an error of ours.
            sys.stderr.close()
            ctx.exit(0)


class Session:
    """What a command works on: the records repository, found lazily so `--help` stays fast."""

    def __init__(self, root: str | None, ref: str | None = None, use_cache: bool = True):
        self.root_option = root
        self.ref = ref
        self.use_cache = use_cache

    @cached_property
    def root(self) -> Path:
        from tracker.storage.config import find_root

        return find_root(Path.cwd(), self.root_option, os.environ.get("TRACKER_ROOT"))

    @cached_property
    def config(self) -> Config:
        from tracker.storage.config import load_config

        return load_config(self.root)

    @cached_property
    def snapshot(self) -> Snapshot:
        from tracker.storage.store import Snapshot

        snapshot = Snapshot(self.config, self.use_cache)
        click.get_current_context().call_on_close(snapshot.close)
        return snapshot

    @cached_property
    def _ref_records(self) -> RecordSet:
        from tracker.storage.gitio import tree_sources
        from tracker.storage.reading import build_set

        return build_set(tree_sources(self.root, self.ref or "HEAD"))

    @cached_property
    def problems(self) -> list[Problem]:
        """Every problem of the records (of --ref's revision, if given), sorted by file and line."""
        if self.ref:
            from tracker.storage.validate import validate

            return validate(self.config, self._ref_records)
        return self._reading(self.snapshot.problems)

    def count(self) -> int:
        """How many records there are."""
        return len(self._ref_records) if self.ref else self.snapshot.count()

    @cached_property
    def records(self) -> RecordSet:
        """Every record, once they are known to have no problems."""
        self.refuse_problems()
        return self._ref_records if self.ref else self._reading(self.snapshot.records)

    def kept(self, question: str | None, compute: Callable[[], str]) -> str:
        """compute(), which must depend only on the records and question, or the answer kept for question from an
        earlier run in the same state of the repository (never kept when question is None, or with --ref)."""
        self.refuse_problems()
        if self.ref or question is None:
            return compute()
        return self.snapshot.kept(question, compute)

    def kept_parts(self, question: str | None, needs: Needs, compute: Compute) -> dict[str, str]:
        """compute(records, None): an answer made of one part per record file, each worked out from the records
        needs declares it reads (see storage/parts.py); kept file by file, as kept() keeps whole answers."""
        self.refuse_problems()
        if self.ref or question is None:
            return compute(self.records, None)
        return self.snapshot.kept_parts(question, needs, compute).texts

    def refuse_problems(self) -> None:
        """Answers drawn from inconsistent records (two files with one ID, a dangling reference, an unknown status)
        would be quietly wrong, so every command that reads the records refuses until they are fixed."""
        from tracker.model.errors import TrackerError

        if self.problems:
            raise TrackerError(
                "the records have problems; fix them first:\n" + "\n".join(str(p) for p in self.problems),
                self.problems,
                hint="`tracker validate` lists every problem",
            )

    def _reading(self, read: Callable[[], T]) -> T:
        """read(), showing progress at a terminal on a long first read."""
        from tracker.cli.progress import Progress

        progress = Progress("reading records", threshold=2000)  # drawn only at a terminal
        self.snapshot.progress = progress
        try:
            return read()
        finally:
            self.snapshot.progress = None
            progress.close()


def _set_root(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.find_root().ensure_object(dict)["root"] = value


def root_option(func: F) -> F:
    return click.option(
        "--root", metavar="DIR", expose_value=False, callback=_set_root, is_eager=True,
        help="The records repository (default: $TRACKER_ROOT, else the nearest folder upwards with tracker.yaml).",
    )(func)


def _set_no_cache(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().ensure_object(dict)["no_cache"] = True


def _set_ref(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.find_root().ensure_object(dict)["ref"] = value


def ref_option(func: F) -> F:
    return click.option(
        "--ref", metavar="REV", expose_value=False, callback=_set_ref,
        help="Read the records as they were at this git revision (a commit, tag or branch), without a checkout.",
    )(func)


def session() -> Session:
    """The records repository this command works on (created on first use)."""
    ctx = click.get_current_context()
    obj = ctx.find_root().ensure_object(dict)
    if "session" not in obj:
        obj["session"] = Session(obj.get("root"), obj.get("ref"), use_cache=not obj.get("no_cache"))
    current: Session = obj["session"]
    return current


class DateType(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.5; subscripting breaks older ones
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        from tracker.model.dates import parse_date

        try:
            return parse_date(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)


class PartialDateType(click.ParamType):  # type: ignore[type-arg]  # as DateType
    name = "YYYY-MM-DD|YYYY-MM|YYYY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> PartialDate:
        from tracker.model.dates import PartialDate

        try:
            return PartialDate.parse(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)


class NumberType(click.ParamType):  # type: ignore[type-arg]  # as DateType
    """A recommendation's number: 5, or 5a for a lettered one ("5(b)" and "5B" are read as 5b)."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Number:
        from tracker.model.numbers import parse_number

        try:
            return parse_number(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


NUMBER = NumberType()
class DueType(PartialDateType):
    """A deadline: a date (YYYY-MM-DD, YYYY-MM or YYYY), or next-meeting."""

    name = "YYYY-MM-DD|YYYY-MM|YYYY|next-meeting"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if str(value).strip().casefold() in ("next-meeting", "next meeting"):
            return "next-meeting"
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as err:
            self.fail(f"{err.message}; or next-meeting, for the committee's next meeting", param, ctx)


DATE = DateType()
PARTIAL_DATE = PartialDateType()
DUE = DueType()
DUE_HELP = ("Deadline: YYYY-MM-DD, YYYY-MM (\"By December 2023\"), YYYY, or next-meeting (the committee's first "
            "meeting after the item's date; its date is filled in once that meeting is recorded).")
DUE_TEXT_HELP = 'The deadline as the paper words it, shown in every render, e.g. "by the next statutory meeting".'


def as_of_option(func: F) -> F:
    return click.option(
        "--as-of", "as_of", type=DATE, default=None,
        help="Answer as things stood on this date (default: today); later history is ignored.",
    )(func)


def committee_filter(help: str = "Only this committee's items.") -> Callable[[F], F]:
    """`--committee SLUG` narrowing a command's answer, with slugs completed at the shell."""
    return click.option("--committee", default="", metavar="SLUG", shell_complete=complete_committees, help=help)


def responsible_filter(help: str = "Only what this person or body owes.") -> Callable[[F], F]:
    """`--responsible BODY`: actions' responsible person and recommendations' addressees, other names included."""
    return click.option("--responsible", default="", metavar="BODY", shell_complete=complete_bodies, help=help)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--format", "fmt", type=click.Choice(choices or FORMATS), default=default, show_default=True,
            help="table for people; json, csv or markdown for other programs and documents.",
        )(func)

    return decorate


def _remember_force(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta["tracker.force"] = ctx.meta.get("tracker.force", False) or value


def force_option(func: F) -> F:
    """`--force`: let an output replace a file git tracks (never the records, schemas, tracker.yaml or .git)."""
    return click.option("--force", is_flag=True, expose_value=False, callback=_remember_force,
                        help="Replace an existing file that git tracks.")(func)


def forced() -> bool:
    """Whether the command was given --force."""
    return bool(click.get_current_context().meta.get("tracker.force", False))


def bom_option(func: F) -> F:
    """`--bom`: start CSV with a byte order mark, the same flag on every command that writes CSV."""
    return click.option("--bom", is_flag=True,
                        help="With --format csv: start with a byte order mark, so Excel on Windows reads UTF-8.")(func)


def with_bom(text: str, fmt: str, bom: bool) -> str:
    """CSV text with the byte order mark --bom asks for (other formats unchanged)."""
    from tracker.text.csvtext import BOM

    return BOM + text if bom and fmt == "csv" and not text.startswith(BOM) else text


def output_option(func: F) -> F:
    func = force_option(func)
    return click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                        help="Write to this file instead of the screen.")(func)


def today(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


def inside_repository(value: str, option: str, *, folder: bool = False) -> tuple[Path, str]:
    """Where an output path lands, as (repository root, path within it); refused if it would land outside the
    repository or among its own files (see writer.output_target)."""
    from tracker.storage.writer import output_target

    root = session().root.resolve()
    return root, output_target(root, value, option, folder=folder).relative_to(root).as_posix()


def echo_result(text: str) -> None:
    """Print a command's result; at a terminal, control characters are shown as escapes, never obeyed."""
    if _tty():
        from tracker.model.textsafety import visible

        text = visible(text)
    click.echo(text, nl=not text.endswith("\n"))


def write_output(content: str | bytes, output: str | None) -> None:
    """Print, or write to --output atomically inside the records repository; a missing folder is a clear error."""
    if output is None:
        echo_result(content if isinstance(content, str) else content.decode("utf-8"))
        return
    from tracker.storage.writer import check_output_file, replace

    root, rel = inside_repository(output, "--output")
    check_output_file(root, root / rel, force=forced(), option="--output")
    replace(root, rel, content)
    click.echo(f"wrote {output}", err=True)


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="tracker")
@root_option
@click.option("--no-cache", is_flag=True, envvar="TRACKER_NO_CACHE", expose_value=False, callback=_set_no_cache,
              help="Read every record file afresh, bypassing (and not updating) the cache in .tracker-cache/.")
def main() -> None:
    """Track what committees ask for and what they are owed, in plain YAML files kept in git.

    \b
    Start here:
      tracker list --open              what is still owed
      tracker overdue                  what needs chasing today, and why
      tracker show pcc-2023-03-22-6a   one record and its history
      tracker validate                 check every record file
    """


# ---------------------------------------------------------------- init


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--committee", "committees", multiple=True, metavar='SLUG="Full name"',
              help='A committee to track, e.g. pcc="Police and Crime Committee". Repeatable.')
def init(directory: str, committees: tuple[str, ...]) -> None:
    """Start a records repository in DIRECTORY (default: here).

    \b
    Example:
      tracker init assembly --committee pcc="Police and Crime Committee"
    """
    from tracker.edits.init_repo import init_repository, parse_committee
    from tracker.model.errors import TrackerError

    parsed = []
    for spec in committees:
        try:
            parsed.append(parse_committee(spec))
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--committee") from None
    result = init_repository(Path(directory), parsed)
    for line in result:
        click.echo(line)
    if not result:
        raise TrackerError("nothing to do: the repository exists and has those committees")


# ---------------------------------------------------------------- new


def interactive() -> bool:
    """Whether someone is at the keyboard to answer a question."""
    return sys.stdin.isatty()


def _need(value: Any, name: str, prompt: str, **prompt_args: Any) -> Any:
    """A required value: from its flag, else asked for at a terminal, else a usage error."""
    if value not in (None, "", ()):
        return value
    if interactive():
        return click.prompt(prompt, **prompt_args)
    raise click.UsageError(f"missing {name} (not at a terminal, so it cannot be asked for)")


def _default_to(config: Config, committee: str, option: str) -> str:
    """The committee's default addressee (default_to in tracker.yaml), saying so, or "" when it has none."""
    known = config.committees.get(committee)
    if known is None or not known.default_to:
        return ""
    click.echo(f"no {option} given: addressed to {known.default_to}, the default_to of {committee} in tracker.yaml",
               err=True)
    return known.default_to


def _announce(new: Any) -> None:
    click.echo(f"created {new.rel_path}", err=True)
    click.echo(new.record.id)


@main.group()
def new() -> None:
    """Create a record: a meeting, action, report, recommendation or response.

    Missing details are asked for at a terminal. The new record's ID is printed on the last line.
    """


def _by_option(func: F) -> F:
    return click.option("--by", default=None, help="Who is recording this (default: git user.name).")(func)


def _author(by: str | None) -> str:
    if by is not None:
        return by
    from tracker.storage.gitio import default_author

    return default_author(session().root)


@new.command("meeting")
@root_option
@click.option("--committee", shell_complete=complete_committees, help="The committee's slug, e.g. pcc.")
@click.option("--date", "date", type=DATE, help="The date of the meeting.")
@click.option("--meeting", "meeting", type=DATE, help="Same as --date.")
@click.option("--title", default="", help="The meeting's title.")
@click.option("--url", default="", help="Where the agenda or minutes are published.")
def new_meeting(committee: str | None, date: dt.date | None, meeting: dt.date | None, title: str, url: str) -> None:
    """Record a meeting.

    \b
    Example:
      tracker new meeting --committee pcc --date 2023-05-24
    """
    from tracker.edits import create

    s = session()
    committee = _need(committee, "--committee", "Committee")
    when = _need(date or meeting, "--date", "Meeting date (YYYY-MM-DD)", type=DATE)
    made = create.new_meeting(s.config, s.records, committee=committee, date=when, title=title, url=url)
    from tracker.edits.workflow import apply, meeting_deadlines

    dated = meeting_deadlines(s.config, s.records, committee, when)
    create.save(s.config, made)
    for change in apply(s.config, dated):
        click.echo(change.summary, err=True)
    _announce(made)


@new.command("action")
@root_option
@click.option("--committee", shell_complete=complete_committees, help="The committee's slug, e.g. pcc.")
@click.option("--meeting", type=DATE, help="The date of the meeting the action arose at.")
@click.option("--item", help="The agenda item number, e.g. 6 or 9a.")
@click.option("--item-title", help="The agenda item's title.")
@click.option("--responsible", shell_complete=complete_bodies, help="The person or body who owes the action.")
@click.option("--text", help="The action, in Markdown.")
@click.option("--status", default=None, shell_complete=complete_statuses("action"),
              help="The status (default: the first action status, e.g. ongoing).")
@click.option("--due", type=DUE, default=None, help=DUE_HELP)
@click.option("--due-text", default="", help=DUE_TEXT_HELP)
@click.option("--standing", is_flag=True, help="A standing item with no meeting (give --title and --deadline).")
@click.option("--title", default="", help="For a standing item: its subject.")
@click.option("--deadline", default="", help='For a standing item: the deadline in words (default "N/A").')
@click.option("--date", "created", type=DATE, default=None, help="When the record came into being (default: the meeting date).")
@_by_option
def new_action(committee: str | None, meeting: dt.date | None, item: str | None, item_title: str | None,
               responsible: str | None, text: str | None, status: str | None, due: PartialDate | str | None,
               due_text: str, standing: bool, title: str, deadline: str, created: dt.date | None,
               by: str | None) -> None:
    """Record an action agreed at a meeting (or a standing item).

    \b
    Example:
      tracker new action --committee pcc --meeting 2023-03-22 --item 6 \\
        --item-title "Independent Review" --responsible "Baroness Casey" \\
        --text "To provide the Ipsos MORI survey."
    """
    from tracker.edits import create

    s = session()
    committee = _need(committee, "--committee", "Committee")
    if standing:
        title = _need(title, "--title", "Subject")
    else:
        meeting = _need(meeting, "--meeting", "Meeting date (YYYY-MM-DD)", type=DATE)
        item = _need(item, "--item", "Item number")
        item_title = _need(item_title, "--item-title", "Item title")
    responsible = responsible or _default_to(s.config, committee, "--responsible")
    responsible = _need(responsible, "--responsible", "Responsible person or body")
    text = _need(text, "--text", "Action")
    status = status or next(iter(s.config.statuses["action"]))
    made = create.new_action(
        s.config, s.records, committee=committee, meeting=meeting, item=item or "", item_title=item_title or "",
        responsible=responsible, text=text, status=status, due=due, standing=standing, title=title,
        deadline=deadline, created=created, by=_author(by), due_text=due_text,
    )
    create.save(s.config, made)
    _announce(made)


@new.command("report")
@root_option
@click.option("--committee", shell_complete=complete_committees, help="The committee's slug, e.g. pcc.")
@click.option("--title", help="The report's title.")
@click.option("--published", type=PARTIAL_DATE, help="When it was published: YYYY-MM-DD (or YYYY-MM).")
@click.option("--date", "date", type=PARTIAL_DATE, default=None, help="Same as --published.")
@click.option("--slug", default="", help="Short name used in IDs (default: made from the title).")
@click.option("--url", default="", help="Where the report is published.")
@click.option("--response-due", type=DATE, default=None, help="When responses are due (default: published + response_days).")
@click.option("--presented-at", "presented_at", default=None, metavar="MEETING",
              help="The meeting that received it: its ID or date (YYYY-MM-DD); the default for --published.")
def new_report(committee: str | None, title: str | None, published: PartialDate | None, date: PartialDate | None,
               slug: str, url: str, response_due: dt.date | None, presented_at: str | None) -> None:
    """Record a published report (or one presented at a meeting).

    \b
    Examples:
      tracker new report --committee pcc --title "Missing children in London" --published 2023-04-25
      tracker new report --committee osc --title "Safer Hartwell Partnership" --presented-at 2022-03-24
    """
    from tracker.edits import create
    from tracker.model.dates import PartialDate
    from tracker.model.records import Meeting

    s = session()
    committee = _need(committee, "--committee", "Committee")
    title = _need(title, "--title", "Title")
    meeting = None
    if presented_at:
        wanted = f"{committee}-{presented_at}" if presented_at[:4].isdigit() else presented_at
        meeting = s.records.get(wanted, Meeting)
        published = published or date or PartialDate.parse(meeting.date)
    published = _need(published or date, "--published", "Published (YYYY-MM-DD)", type=PARTIAL_DATE)
    made = create.new_report(s.config, s.records, committee=committee, title=title, published=published, slug=slug,
                             url=url, response_due=response_due, presented_at=meeting.id if meeting else "")
    create.save(s.config, made)
    _announce(made)


@new.command("recommendation")
@root_option
@click.option("--report", shell_complete=complete_reports, help="The report's slug or ID.")
@click.option("--number", type=NUMBER, default=None,
              help='Its number in the report: 5, or 5a for a lettered one ("5(b)" is taken as 5b) (default: the next).')
@click.option("--text", help="The recommendation, in Markdown.")
@click.option("--to", "to", multiple=True, shell_complete=complete_bodies, help="A body it is addressed to. Repeatable.")
@click.option("--due", type=DUE, default=None, help=DUE_HELP)
@click.option("--due-text", default="", help=DUE_TEXT_HELP)
@click.option("--status", default=None, shell_complete=complete_statuses("recommendation"),
              help="The status (default: the first recommendation status).")
@click.option("--date", "created", type=DATE, default=None, help="When it came into being (default: the report's publication).")
@_by_option
def new_recommendation(report: str | None, number: Number | None, text: str | None, to: tuple[str, ...],
                       due: PartialDate | str | None, due_text: str, status: str | None, created: dt.date | None,
                       by: str | None) -> None:
    """Record a report's recommendation.

    \b
    Example:
      tracker new recommendation --report missing-children-in-london --number 2 \\
        --to MOPAC --due 2023-12 --text "MOPAC should conduct research..."
    """
    from tracker.edits import create

    s = session()
    found = s.records.report(_need(report, "--report", "Report slug"))
    text = _need(text, "--text", "Recommendation")
    addressees = list(to) or [_need(_default_to(s.config, found.committee, "--to"), "--to", "Addressed to")]
    status = status or next(iter(s.config.statuses["recommendation"]))
    made = create.new_recommendation(s.config, s.records, report=found, number=number, text=text, to=addressees,
                                     status=status, due=due, created=created, by=_author(by), due_text=due_text)
    create.save(s.config, made)
    _announce(made)


def parse_numbers(value: str) -> list[Number]:
    """"1,2,7" or "1-3,5a,7" to [1, 2, 3, "5a", 7]."""
    from tracker.model.numbers import parse_number

    numbers: list[Number] = []
    for part in value.replace(" ", "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        if high:
            if not low.isdigit() or not high.isdigit():
                raise click.BadParameter(f"{value!r}: a range is of whole numbers, like 1-3; "
                                         "list lettered ones, like 5a,5b", param_hint="--recommendations")
            numbers.extend(range(int(low), int(high) + 1))
            continue
        try:
            numbers.append(parse_number(low))
        except ValueError:
            raise click.BadParameter(f"{value!r}: give numbers like 1,2,5a,7 or 1-3",
                                     param_hint="--recommendations") from None
    if not numbers:
        raise click.BadParameter("give at least one number", param_hint="--recommendations")
    return numbers


@new.command("response")
@root_option
@click.option("--report", shell_complete=complete_reports, help="The report's slug or ID.")
@click.option("--from", "from_body", shell_complete=complete_bodies, help="The body that responded.")
@click.option("--date", type=DATE, help="The date of the response.")
@click.option("--recommendations", help="The recommendation numbers it answers, e.g. 1,2,7.")
@click.option("--position", type=click.Choice(["accepted", "partially-accepted", "not-accepted", "noted"]),
              default="noted", show_default=True, help="The body's position on those recommendations.")
@click.option("--text", "--summary", "summary", help="What the response says, in brief.")
@click.option("--url", default="", help="Where the response is published.")
@click.option("--appendix", default="", help="Where it is attached in the papers, e.g. Appendix 1.")
def new_response(report: str | None, from_body: str | None, date: dt.date | None, recommendations: str | None,
                 position: str, summary: str | None, url: str, appendix: str) -> None:
    """Record a body's response to a report (without changing any status; see `tracker respond`).

    \b
    Example:
      tracker new response --report probation-services-in-london --from HMCTS \\
        --date 2023-04-24 --recommendations 3 --text "Supports a feedback mechanism."
    """
    from tracker.edits import create

    s = session()
    found = s.records.report(_need(report, "--report", "Report slug"))
    from_body = _need(from_body, "--from", "From")
    when = _need(date, "--date", "Date (YYYY-MM-DD)", type=DATE)
    numbers = parse_numbers(_need(recommendations, "--recommendations", "Recommendations answered (e.g. 1,2,7)"))
    summary = _need(summary, "--text", "Summary")
    answers = [{"number": n, "position": position} for n in numbers]
    made = create.new_response(s.config, s.records, report=found, from_body=from_body, date=when, summary=summary,
                               answers=answers, url=url, appendix=appendix)
    create.save(s.config, made)
    _announce(made)


# ---------------------------------------------------------------- reading


KIND_CHOICE = click.Choice(["meeting", "action", "report", "recommendation", "response"])


@main.command("list")
@root_option
@ref_option
@click.option("--kind", "kinds", type=KIND_CHOICE, multiple=True, help="Only records of this kind. Repeatable.")
@committee_filter("Only this committee's records.")
@click.option("--status", "statuses", multiple=True, shell_complete=complete_statuses(),
              help="Only items with this status. Repeatable.")
@responsible_filter("Only what this person or body owes (actions' responsible, recommendations' addressees).")
@click.option("--report", default="", shell_complete=complete_reports,
              help="Only this report and its recommendations and responses.")
@click.option("--open/--done", "is_open", default=None, help="Only open items, or only done ones.")
@click.option("--overdue", is_flag=True, help="Only items past their due date.")
@as_of_option
@format_option()
@bom_option
@output_option
def list_records(kinds: tuple[str, ...], committee: str, statuses: tuple[str, ...], responsible: str, report: str,
                 is_open: bool | None, overdue: bool, as_of: dt.date | None, fmt: str, bom: bool, output: str | None) -> None:
    """List records, narrowed by the options.

    \b
    Examples:
      tracker list --open --committee pcc
      tracker list --kind recommendation --report missing-children-in-london --format csv
    """
    from tracker.questions import output as out
    from tracker.questions.query import Filters, rows, select

    s = session()
    _check_committee(s, committee)
    when = today(as_of)
    if not kinds and (statuses or is_open is not None or overdue):
        kinds = ("action", "recommendation")
    statuses = _status_slugs(s.config, statuses, kinds)
    filters = Filters(kinds=kinds, committee=committee, statuses=statuses, responsible=responsible, report=report,
                      category="" if is_open is None else ("open" if is_open else "done"), overdue=overdue)
    listed = rows(s.records, s.config, select(s.records, s.config, filters, when), when)
    text = out.records_table(listed, fmt, as_of=when, to_terminal=output is None and _tty())
    write_output(with_bom(text, fmt, bom), output)


def _status_slugs(config: Config, statuses: tuple[str, ...], kinds: tuple[str, ...]) -> tuple[str, ...]:
    """Each --status as the slug it names (a slug or a label, in any case) for any of the kinds listed."""
    from tracker.storage.config import KINDS_WITH_STATUS

    kinds = tuple(kind for kind in kinds if kind in KINDS_WITH_STATUS) or KINDS_WITH_STATUS
    slugs: list[str] = []
    for wanted in statuses:
        found = [slug for kind in kinds if (slug := config.status_slug(kind, wanted)) is not None]
        if not found:
            config.resolve_status(kinds[-1] if len(kinds) == 1 or config.nearest_status(kinds[-1], wanted)
                                  else kinds[0], wanted)
        slugs.extend(found)
    return tuple(slugs)


def _check_committee(s: Session, committee: str) -> None:
    if committee and committee not in s.config.committees:
        from tracker.model.errors import TrackerError

        known = ", ".join(sorted(s.config.committees)) or "none yet"
        raise TrackerError(f"unknown committee {committee!r} (tracker.yaml has {known})")


def _tty() -> bool:
    return sys.stdout.isatty()


@main.command()
@root_option
@ref_option
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
@as_of_option
@format_option("text", "json", default="text")
def show(record_id: str, as_of: dt.date | None, fmt: str) -> None:
    """Show one record and its history.

    \b
    Example:
      tracker show pcc-2023-03-22-6a
    """
    from tracker.questions import output as out

    s = session()
    record: Any = s.records.get(record_id)
    echo_result(out.show_record(s.records, s.config, record, today(as_of), fmt))


@main.command()
@root_option
@ref_option
@committee_filter()
@responsible_filter()
@click.option("--fail-if-any", is_flag=True, help="Exit with status 1 when anything is listed (for scheduled checks).")
@as_of_option
@format_option()
@bom_option
@output_option
def overdue(committee: str, responsible: str, fail_if_any: bool, as_of: dt.date | None, fmt: str, bom: bool,
            output: str | None) -> None:
    """What needs chasing: overdue items, missing responses and follow-ups due, worst first.

    \b
    Examples:
      tracker overdue
      tracker overdue --as-of 2024-01-15 --committee pcc --format json
    """
    s = session()
    _check_committee(s, committee)
    when = today(as_of)
    to_terminal = output is None and _tty()
    # Off a terminal, the output depends only on the records, the options and the day: an unchanged repository
    # gets the answer kept from last time (the cache keys it by the state of every file, tracker.yaml and code).
    question = None if to_terminal else repr(("overdue", committee, responsible, when.isoformat(), fmt))

    def answer() -> str:
        """How many items are listed, a newline, and the listing."""
        from tracker.questions import output as out
        from tracker.questions.query import Filters, attention_needs, needs_attention

        every: list[out.Entry] = []  # the entries, when they are all worked out here, in order

        def entries_of(records: RecordSet, only: frozenset[str] | None) -> dict[str, str]:
            items = needs_attention(records, s.config, when, Filters(committee=committee, responsible=responsible))
            entries = out.attention_entries(records, s.config, items, when, fmt)
            if only is None:
                every.extend(entries)
            return {entry[1]: out.entry_text(entry) for entry in entries if only is None or entry[1] in only}

        kept = s.kept_parts(question, attention_needs, entries_of)
        entries = every or sorted(map(out.entry_from, kept.values()), key=lambda entry: entry[0])
        return f"{len(entries)}\n{out.attention_text(s.config, entries, fmt, when, to_terminal=to_terminal)}"

    listed, _, text = s.kept(question, answer).partition("\n")
    count = int(listed)
    write_output(with_bom(text, fmt, bom), output)
    if fail_if_any and count:
        sys.exit(1)


@main.command()
@root_option
@click.argument("paths", nargs=-1, type=click.Path())
@format_option("text", "json", default="text")
def validate(paths: tuple[str, ...], fmt: str) -> None:
    """Check every record (or the files given): schemas, IDs, references, statuses and history order.

    Prints every problem as path:line:column: message and exits 1 if there are any.

    \b
    Example:
      tracker validate
    """
    import json

    s = session()
    problems = s.problems
    if paths:
        wanted = [Path(p).resolve() for p in paths]
        problems = [p for p in problems if any(_within(s.root / p.path, w) for w in wanted)]
    if fmt == "json":
        echo_result(json.dumps([p.to_json() for p in problems], indent=2, ensure_ascii=False) + "\n")
    else:
        from tracker.model.textsafety import visible

        for problem in problems:
            click.echo(visible(str(problem)))
        summary = f"{s.count()} records checked, {len(problems)} problem{'s' if len(problems) != 1 else ''}"
        click.echo(summary, err=True)
    if problems:
        sys.exit(1)


def _within(path: Path, folder_or_file: Path) -> bool:
    resolved = path.resolve()
    return resolved == folder_or_file or folder_or_file in resolved.parents
