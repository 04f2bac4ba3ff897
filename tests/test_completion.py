"""Tab completion of every option that takes a record ID, a committee, a report, a status or a body, through
click's completion machinery as the shell runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.shell_completion import ShellComplete

from tests.conftest import PROJECT
from tracker.cli import main

REPORT = "stop-and-search-and-prevent"
# What each kind of value completes to from an empty word in the bundled records.
EXPECTED = {
    "committee": "pcc",
    "report": REPORT,
    "status": "closed",  # a status of actions and of recommendations
    "body": "MOPAC",
    "id": "pcc-2023-03-22-6a",
}
OPTION_KINDS = {"--committee": "committee", "--report": "report", "--status": "status", "--responsible": "body",
                "--to": "body", "--from": "body"}
# init takes SLUG="Full name", a new committee; remind --from the clerk's own e-mail address.
NOT_A_VALUE_OF_THAT_KIND = {("init", "--committee"), ("remind", "--from")}


def _complete(args: list[str], incomplete: str) -> list[str]:
    completion = ShellComplete(main, {}, "tracker", "_TRACKER_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*path, name)))
        else:
            found.append(((*path, name), command))
    return found


def _cases() -> list[tuple[tuple[str, ...], str | None, str]]:
    cases: list[tuple[tuple[str, ...], str | None, str]] = []
    for path, command in _commands(main):
        for param in command.params:
            if isinstance(param, click.Argument) and param.metavar == "ID":
                cases.append((path, None, "id"))
            elif isinstance(param, click.Option):
                for opt in param.opts:
                    if opt in OPTION_KINDS and (path[-1], opt) not in NOT_A_VALUE_OF_THAT_KIND:
                        cases.append((path, opt, OPTION_KINDS[opt]))
    return cases


CASES = _cases()


def test_the_headline_commands_are_among_those_checked():
    names = {(" ".join(path), opt) for path, opt, _ in CASES}
    for wanted in [("render actions", "--committee"), ("render recommendations", "--report"), ("update", None),
                   ("note", None), ("followup", None), ("reschedule", None), ("history", None), ("show", None),
                   ("respond", "--report"), ("respond", "--from"), ("update", "--status"), ("list", "--status"),
                   ("list", "--responsible"), ("overdue", "--responsible"), ("remind", "--responsible"),
                   ("new recommendation", "--to")]:
        assert wanted in names


@pytest.mark.parametrize(("path", "option", "kind"), CASES, ids=[f"{' '.join(p)} {o or 'ID'}" for p, o, _ in CASES])
def test_every_such_option_completes(bundled, monkeypatch, path, option, kind):
    monkeypatch.setenv("TRACKER_ROOT", str(bundled))
    args = [*path, option] if option else list(path)
    offered = _complete(args, "")
    assert EXPECTED[kind] in offered, offered


def test_completions_narrow_to_what_was_typed(bundled, monkeypatch):
    monkeypatch.setenv("TRACKER_ROOT", str(bundled))
    assert _complete(["update"], "pcc-2023-03-22-") == ["pcc-2023-03-22-6a", "pcc-2023-03-22-6b"]
    assert "pcc-2023-03-22" not in _complete(["update"], "pcc-2023-03")  # a meeting has no status to update
    assert "pcc-2023-03-22" in _complete(["history"], "pcc-2023-03")
    assert _complete(["update", "pcc-2023-03-22-6a", "--status"], "comp") == ["completed"]
    assert _complete(["new", "action", "--status"], "") == ["ongoing", "completed", "closed"]
    assert "awaiting-response" in _complete(["new", "recommendation", "--status"], "")
    assert _complete(["overdue", "--responsible"], "hm") == ["HM Courts & Tribunals Service", "HM Prison & Probation Service",
                                                             "HMCTS", "HMPPS"]
    assert _complete(["render", "recommendations", "--report"], "stop") == [REPORT]
    assert _complete(["export", "--committee"], "") == ["pcc", "lewisham-ssc"]
    monkeypatch.setenv("TRACKER_ROOT", str(bundled / "nowhere"))
    assert _complete(["edit"], "pcc") == []


def test_custom_statuses_come_from_tracker_yaml(bundled, monkeypatch):
    config = bundled / "tracker.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "statuses:\n  action:\n    chased: {label: Chased, category: open}\n"
                      "    done: {label: Done, category: done}\n", encoding="utf-8")
    monkeypatch.setenv("TRACKER_ROOT", str(bundled))
    assert _complete(["new", "action", "--status"], "") == ["chased", "done"]


def test_a_broken_tracker_yaml_offers_nothing_and_never_fails(bundled, monkeypatch):
    (bundled / "tracker.yaml").write_text("committees: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("TRACKER_ROOT", str(bundled))
    assert _complete(["list", "--status"], "") == []
    assert _complete(["list", "--responsible"], "") == []


def test_bash_completion_as_the_shell_asks_for_it(bundled: Path):
    env = {**os.environ, "_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS": "tracker render actions --committee p",
           "COMP_CWORD": "4", "TRACKER_ROOT": str(bundled)}
    done = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main(prog_name='tracker')"],
                          env=env, capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["plain,pcc"]


def test_completion_scripts_for_each_shell():
    for shell in ("bash", "zsh", "fish"):
        # As the installed `tracker` entry point runs it.
        done = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main(prog_name='tracker')"],
                              env={**os.environ, "_TRACKER_COMPLETE": f"{shell}_source"}, capture_output=True, text=True,
                              cwd=PROJECT)
        assert done.returncode == 0 and "_TRACKER_COMPLETE" in done.stdout
