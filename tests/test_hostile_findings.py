"""The findings of the adversarial review of the records: each one a hostile record or path that once got through.

Every test here failed before the outputs were made safe by construction; the wider corpus is in test_hostile.py.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.chase_helpers import load
from tests.conftest import Run, git
from tests.test_hostile import unsafe_html
from tests.test_site import mkdocs_build, write_site
from tracker.model.records import build_record

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
REPORT = "records/pcc/reports/probation-services-in-london/pcc-probation-services-in-london.yaml"
RECOMMENDATION = "records/pcc/reports/probation-services-in-london/recommendations/pcc-probation-services-in-london-r1.yaml"
JAVASCRIPT_ATTRIBUTE = re.compile(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def edit(root: Path, rel: str, **fields: object) -> None:
    """Set fields of a record file, as a clerk (or an attacker with commit rights) would."""
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(fields)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if {"responsible", "to", "from"} & set(fields):
        # With bodies listed, a name not among them is refused; these names must reach every output.
        settings = yaml.safe_load((root / "tracker.yaml").read_text(encoding="utf-8"))
        settings.pop("bodies", None)
        (root / "tracker.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")


def build_site(run: Run, root: Path) -> Path:
    out = root / "public"
    write_site(run, root, out)
    mkdocs_build(out)
    return out


def html_pages(out: Path) -> list[Path]:
    pages = sorted((out / "site").rglob("*.html"))
    assert len(pages) > 10
    return pages


@pytest.mark.slow
def test_finding_1_names_reach_the_navigation_escaped(bundled: Path, run: Run) -> None:
    edit(bundled, ACTION, responsible="<img src=x onerror=alert(1)>")
    edit(bundled, REPORT, title="</title><script>alert(2)</script>")
    edit(bundled, RECOMMENDATION, to=["<svg onload=alert(3)>"])
    out = build_site(run, bundled)
    labels = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    assert "<" not in str(labels)
    assert "&lt;img src=x onerror=alert(1)&gt;" in str(labels)  # still readable, as text
    for page in html_pages(out):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script>alert|<img src=x|<svg onload", html), page
        assert unsafe_html(html) == [], page  # no event handler, no script that runs alert(


@pytest.mark.slow
def test_finding_2_javascript_links_are_shown_as_text(bundled: Path, run: Run) -> None:
    edit(bundled, ACTION, text="See [click](javascript:alert(1)) and ![x](javascript:alert(2)) and "
                               "[fine](https://example.org/a)")
    out = build_site(run, bundled)
    for page in html_pages(out):
        assert not JAVASCRIPT_ATTRIBUTE.search(page.read_text(encoding="utf-8")), page
    actions = (out / "site" / "pcc" / "actions.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/a"' in actions  # an allowed link stays a link
    assert "javascript:alert(1)" in actions  # the refused one is still there to read


def test_finding_2_report_urls_must_be_web_addresses(bundled: Path, run: Run) -> None:
    edit(bundled, REPORT, url="javascript:alert(8)")
    result = run(bundled, "validate")
    assert result.exit_code == 1
    assert f"{REPORT}:" in result.output and "url" in result.output
    assert "javascript:alert(8)" in result.output


def test_finding_2_a_report_url_that_bypassed_validation_is_not_linked(bundled: Path) -> None:
    from tracker.publish import render

    config, records = load(bundled)
    report = records.records["pcc-probation-services-in-london"]
    records.records[report.id] = build_record({**report.to_json(), "url": "javascript:alert(8)"}, report.path)
    text = render.render_recommendations(records, config, "probation-services-in-london", dt.date(2023, 5, 24))
    assert "](javascript:" not in text


def test_finding_3_control_characters_are_refused_by_validation(bundled: Path, run: Run) -> None:
    path = bundled / ACTION
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    event: follow-up", '    event: follow-up\n    note: "red \\e[31m alert \\0 bell \\a"'), encoding="utf-8")
    result = run(bundled, "validate")
    assert result.exit_code == 1
    assert f"{ACTION}:18:11:" in result.output and "history[0].note" in result.output
    assert "U+001B" in result.output and "U+0000" in result.output and "U+0007" in result.output
    assert "\x1b" not in result.output and "\x00" not in result.output


def test_finding_3_single_line_fields_refuse_a_trailing_newline(bundled: Path, run: Run) -> None:
    edit(bundled, REPORT, slug="probation-services-in-london\n")
    path = bundled / ACTION
    path.write_text(path.read_text(encoding="utf-8").replace("  - date: 2023-05-04", '  - date: "2023-05-04\\n"'),
                    encoding="utf-8")
    result = run(bundled, "validate")
    assert result.exit_code == 1
    assert f"{REPORT}:" in result.output and f"{ACTION}:" in result.output
    lines = [line for line in result.output.splitlines() if "line break" in line]
    assert any(REPORT in line and "slug" in line for line in lines), result.output
    assert any(ACTION in line and "history[0].date" in line for line in lines), result.output


def _records_with_control_characters(root: Path) -> tuple[object, object]:
    """The bundled records with one note full of control characters, built without validation (as a cache or a
    future loader bug might hand them over)."""
    config, records = load(root)
    action = records.records["pcc-2023-03-22-6a"]
    data = action.to_json()
    data["responsible"] = "Evil\x1b]2;pwned\x07 \x00Body\x0b\ufffe"
    data["due"] = "2023-06-30"
    data["history"] = [{"date": "2023-05-04", "event": "status", "from": "completed", "status": "ongoing",
                        "note": "reopened \x1b[31mred\x1b[0m \x08\x0c\x7f\x9b"}]
    records.records[action.id] = build_record(data, action.path)
    return config, records


def test_finding_3_the_calendar_carries_no_control_characters(bundled: Path) -> None:
    import icalendar

    from tracker.publish.ical import calendar_text, deadlines

    config, records = _records_with_control_characters(bundled)
    found = deadlines(records, config, dt.date(2023, 5, 24))  # type: ignore[arg-type]
    assert any("Evil" in d.summary for d in found)
    text = calendar_text(found, name="Deadlines", stamp=dt.datetime(2023, 4, 1, tzinfo=dt.timezone.utc))
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text.replace("\r\n", ""))
    assert icalendar.Calendar.from_ical(text).walk("VEVENT")


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal needs POSIX")
def test_finding_3_show_writes_no_escape_sequence_from_a_record(bundled: Path) -> None:
    from tests.hostile_terminal import run_in_pty

    path = bundled / ACTION
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    event: follow-up", '    event: follow-up\n    note: "\\e]2;pwned\\a \\e[6n"'), encoding="utf-8")
    output = run_in_pty([sys.executable, "-m", "tracker", "--root", str(bundled), "show", "pcc-2023-03-22-6a"])
    assert b"\x1b]2;pwned" not in output and b"\x1b[6n" not in output and b"\x07" not in output
    assert b"pcc-2023-03-22-6a" in output


def test_finding_3_the_terminal_formatter_makes_control_characters_visible(bundled: Path) -> None:
    from tracker.questions.output import show_record

    config, records = _records_with_control_characters(bundled)
    record = records.records["pcc-2023-03-22-6a"]  # type: ignore[attr-defined]
    text = show_record(records, config, record, dt.date(2023, 5, 24), "table")  # type: ignore[arg-type]
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    assert "Evil" in text and "red" in text


@pytest.mark.parametrize("target", [".git/config", "tracker.yaml", ACTION, "schema/action.schema.json"])
def test_finding_4_output_never_replaces_the_repository(git_repo: Path, run: Run, target: str) -> None:
    (git_repo / "schema").mkdir(exist_ok=True)
    (git_repo / "schema" / "action.schema.json").write_text("{}", encoding="utf-8")
    before = (git_repo / target).read_bytes()
    result = run(git_repo, "list", "--format", "csv", "-o", str(git_repo / target))
    assert result.exit_code == 1, result.output
    assert "refusing" in result.stderr and "Traceback" not in result.stderr
    assert (git_repo / target).read_bytes() == before
    git(git_repo, "status")  # git still reads its config


def test_finding_4_overwriting_a_tracked_file_needs_force(git_repo: Path, run: Run) -> None:
    (git_repo / "notes.csv").write_text("kept\n", encoding="utf-8")
    git(git_repo, "add", "notes.csv")
    git(git_repo, "-c", "user.name=C", "-c", "user.email=c@example.org", "commit", "-qm", "notes")
    result = run(git_repo, "list", "--format", "csv", "-o", str(git_repo / "notes.csv"))
    assert result.exit_code == 1 and "--force" in result.stderr
    assert (git_repo / "notes.csv").read_text(encoding="utf-8") == "kept\n"
    result = run(git_repo, "list", "--format", "csv", "-o", str(git_repo / "notes.csv"), "--force")
    assert result.exit_code == 0, result.stderr
    assert (git_repo / "notes.csv").read_text(encoding="utf-8").startswith("id,")


def test_finding_4_site_never_writes_into_git_or_records(git_repo: Path, run: Run) -> None:
    for outdir in (".git", "records/pcc", "schema"):
        (git_repo / outdir).mkdir(exist_ok=True)
        result = run(git_repo, "site", str(git_repo / outdir), "--as-of", "2023-05-24")
        assert result.exit_code == 1 and "refusing" in result.stderr, outdir
    assert not (git_repo / ".git" / "mkdocs.yml").exists()


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_finding_7_files_get_the_mode_the_umask_gives(bundled: Path, tmp_path: Path, umask: int) -> None:
    expected = 0o666 & ~umask
    script = (
        "import os, sys\n"
        f"os.umask({umask})\n"
        "from tracker.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}

    def tracker(*args: str) -> None:
        done = subprocess.run([sys.executable, "-c", script, "--root", str(bundled), *args], capture_output=True,
                              text=True, env=env)
        assert done.returncode == 0, done.stderr

    tracker("site", str(bundled / "public"), "--as-of", "2023-05-24")
    tracker("list", "--format", "csv", "-o", str(bundled / "list.csv"))
    tracker("new", "meeting", "--committee", "pcc", "--date", "2023-06-01", "--title", "Police and Crime Committee")
    written = [bundled / "list.csv", bundled / "public" / "mkdocs.yml", bundled / "public" / "docs" / "index.md",
               bundled / "records" / "pcc" / "meetings" / "pcc-2023-06-01.yaml"]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == expected, (path, oct(path.stat().st_mode))


@pytest.mark.parametrize("name", ["R" * 300, "../../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "CON",
                                  "nul", "com1", "Trailing dots... ", "   ", "伦敦", ".hidden"])
def test_names_never_make_a_file_name_the_file_system_refuses(bundled: Path, run: Run, name: str) -> None:
    edit(bundled, ACTION, responsible=name, due="2023-04-01")
    out = bundled / "public"
    result = run(bundled, "site", str(out), "--as-of", "2023-05-24")
    assert result.exit_code == 0, result.stderr
    letters = bundled / "letters"
    letters.mkdir()
    result = run(bundled, "remind", "--as-of", "2023-05-24", "-o", str(letters))
    assert result.exit_code == 0, result.stderr
    written = [*out.rglob("*"), *letters.iterdir()]
    assert any(p.parent == letters for p in written)
    for path in written:
        assert path.resolve().is_relative_to(bundled.resolve())
        if path.parent.name in ("bodies", "letters"):
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.(md|xml)", path.name), path.name
            assert len(path.name) <= 80
            assert path.stem.split("-")[0] not in {"con", "nul", "com1"} or "-" in path.stem


def test_every_command_that_writes_a_file_takes_force() -> None:
    import click

    from tracker.cli import main

    def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                found += commands(command, f"{prefix}{name} ")
            else:
                found.append((prefix + name, command))
        return found

    writers = [(name, command) for name, command in commands(main)
               if any(param.name in ("output", "output_dir", "outdir") for param in command.params)]
    assert len(writers) >= 10
    for name, command in writers:
        assert any("--force" in getattr(param, "opts", []) for param in command.params), name
