"""Measure tracker on generated repositories of 1,000, 10,000 and 50,000 records, and Taskwarrior on the same items.

    python benchmarks/run.py                       # all three sizes, median of 5 runs
    python benchmarks/run.py --sizes 1000 --runs 3 # a quick look

Each figure is the median wall-clock time of separate runs of the command, with the largest peak memory
(ru_maxrss) of those runs. Repositories are generated once into --workdir, committed to git (so that git's change
detection is what is measured: clerks' repositories are git work trees) and reused. Taskwarrior is measured
when `task` is on the PATH: every action and recommendation is imported as a pending task with its due date (as in
the issue's reference figures for 50,000 pending tasks), in a data folder of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGETS = {  # size: command: (seconds, MB)
    "help": {10_000: 0.1, 50_000: 0.1},
    "overdue-warm": {10_000: 0.25, 50_000: 0.5},
    "overdue-edited": {10_000: 0.3, 50_000: 0.6},
    "overdue-cold": {10_000: 2.0, 50_000: 8.0},
    "validate-cold": {10_000: 3.0, 50_000: 12.0},
    "render-warm": {10_000: 0.3, 50_000: 0.6},
}
MEMORY_TARGET_MB = {10_000: 200, 50_000: 400}


@dataclass
class Figure:
    seconds: float
    peak_mb: float
    ok: bool = True

    def __str__(self) -> str:
        if not self.ok:
            return "failed"
        return f"{self.seconds:.3f} s, {self.peak_mb:.0f} MB"


PYTHON = [sys.executable]  # the interpreter that runs tracker (--python)


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall time, peak memory (MB) and exit status of one run of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=PROJECT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def measure(args: list[str], runs: int, before: object = None, env: dict[str, str] | None = None,
            ok_codes: tuple[int, ...] = (0,)) -> Figure:
    times, peaks, ok = [], [], True
    for index in range(runs):
        if callable(before):
            before(index)
        seconds, peak, code = timed(args, env)
        ok = ok and code in ok_codes
        times.append(seconds)
        peaks.append(peak)
    return Figure(statistics.median(times), max(peaks), ok)


def tracker(repo: Path, *args: str) -> list[str]:
    return [PYTHON[0], "-m", "tracker", "--root", str(repo), *args]


def has_render() -> bool:
    done = subprocess.run([PYTHON[0], "-m", "tracker", "render", "--help"], capture_output=True, cwd=PROJECT)
    return done.returncode == 0


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Benchmark", "GIT_AUTHOR_EMAIL": "benchmark@example.org",
                "GIT_COMMITTER_NAME": "Benchmark", "GIT_COMMITTER_EMAIL": "benchmark@example.org"}


def build(workdir: Path, size: int, seed: int) -> Path:
    """The generated repository, committed to git as a clerk's records repository is; edits left by an earlier
    run are undone."""
    repo = workdir / f"records-{size}-seed{seed}"
    if not (repo / "records").is_dir():
        shutil.rmtree(repo, ignore_errors=True)
        subprocess.run([sys.executable, str(PROJECT / "benchmarks/generate.py"), "--records", str(size), "--seed",
                        str(seed), str(repo)], check=True)
    env = {**os.environ, **GIT_IDENTITY}
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"Generated: {size} records, seed {seed}"], cwd=repo,
                       check=True, env=env)
    subprocess.run(["git", "checkout", "-q", "--", "records"], cwd=repo, check=True)
    return repo


def clear_cache(repo: Path) -> None:
    shutil.rmtree(repo / ".tracker-cache", ignore_errors=True)


def bench_tracker(repo: Path, runs: int) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    base = [PYTHON[0], "-m", "tracker"]
    figures["help"] = measure([*base, "--help"], runs)
    figures["version"] = measure([*base, "--version"], runs)
    # Cold: no cache at all, as after a fresh clone.
    figures["overdue-cold"] = measure(tracker(repo, "overdue", "--format", "json"), runs, lambda _i: clear_cache(repo))
    figures["validate-cold"] = measure(tracker(repo, "validate"), runs, lambda _i: clear_cache(repo))
    timed(tracker(repo, "overdue", "--format", "json"))  # warm the cache
    figures["overdue-warm"] = measure(tracker(repo, "overdue", "--format", "json"), runs)
    actions = sorted((repo / "records").glob("*/actions/20*/*.yaml"))
    step = max(1, len(actions) // 10)

    def edit_ten(index: int) -> None:
        for path in actions[index % step::step][:10]:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"# edited in benchmark run {index}\n")

    figures["overdue-edited"] = measure(tracker(repo, "overdue", "--format", "json"), runs, edit_ten)
    if has_render():
        timed(tracker(repo, "render", "actions", "--committee", "pcc"))
        figures["render-warm"] = measure(tracker(repo, "render", "actions", "--committee", "pcc"), runs)
    return figures


def taskwarrior_items(repo: Path) -> list[dict[str, object]]:
    """The repository's actions and recommendations as Taskwarrior tasks."""
    sys.path.insert(0, str(PROJECT))
    from tracker.model.records import Trackable
    from tracker.storage.config import load_config
    from tracker.storage.store import load_records

    config = load_config(repo)
    today = dt.date.today()
    tasks = []
    for record in load_records(config):
        if not isinstance(record, Trackable):
            continue
        created = record.created or dt.date(2010, 1, 1)
        task: dict[str, object] = {
            "description": record.id, "entry": created.strftime("%Y%m%dT000000Z"),
            "project": getattr(record, "committee", "") or record.id.split("-")[0], "tags": [record.kind],
        }
        due = record.due_as_of(today)
        if due is not None:
            task["due"] = due.last_day().strftime("%Y%m%dT000000Z")
        task["status"] = "pending"
        tasks.append(task)
    return tasks


def bench_taskwarrior(repo: Path, workdir: Path, runs: int) -> dict[str, Figure] | None:
    task = shutil.which("task")
    if task is None:
        return None
    data = workdir / f"{repo.name}-taskwarrior"
    rc = data / "taskrc"
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    if not (data / "pending.data").exists():
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ncolor=off\nhooks=off\n"
                      "news.version=2.6.0\n", encoding="utf-8")
        items = data / "items.json"
        items.write_text(json.dumps(taskwarrior_items(repo)), encoding="utf-8")
        subprocess.run([task, "import", str(items)], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([task, "+OVERDUE", "list"], env=env, stdout=subprocess.DEVNULL)  # its garbage collection
    return {
        "count": measure([task, "+OVERDUE", "count"], runs, env=env),
        "list": measure([task, "+OVERDUE", "list"], runs, env=env, ok_codes=(0, 1)),
    }


ROWS = [
    ("help", "`tracker --help`"),
    ("version", "`tracker --version`"),
    ("overdue-warm", "`tracker overdue --format json`, warm"),
    ("overdue-edited", "the same after editing 10 files"),
    ("overdue-cold", "`tracker overdue --format json`, cold (no cache)"),
    ("validate-cold", "`tracker validate`, cold (no cache)"),
    ("render-warm", "`tracker render actions --committee pcc`, warm"),
]


def target_text(key: str, size: int) -> str:
    limit = TARGETS.get("help" if key == "version" else key, {}).get(size)
    return f" (target ≤ {limit} s)" if limit else ""


def table(results: dict[int, dict[str, Figure]], tasks: dict[int, dict[str, Figure] | None]) -> str:
    sizes = sorted(results)
    lines = ["| command | " + " | ".join(f"{size:,} records" for size in sizes) + " |",
             "| --- |" + " --- |" * len(sizes)]
    for key, label in ROWS:
        if not any(key in results[size] for size in sizes):
            continue
        cells = [f"{results[size][key]}{target_text(key, size)}" if key in results[size] else "n/a" for size in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if any(tasks.values()):
        for key, label in (("count", "Taskwarrior `task +OVERDUE count`"), ("list", "Taskwarrior `task +OVERDUE list`")):
            cells = [str(tasks[size][key]) if tasks[size] else "n/a" for size in sizes]  # type: ignore[index]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        cells = []
        for size in sizes:
            figures = tasks[size]
            if figures:
                ratio = results[size]["overdue-warm"].seconds / figures["count"].seconds
                cells.append(f"{ratio:.2f}" + (" (target ≤ 0.5)" if size == 50_000 else ""))
            else:
                cells.append("n/a")
        lines.append("| warm overdue ÷ `task +OVERDUE count` | " + " | ".join(cells) + " |")
    peaks = []
    for size in sizes:
        peak = max(figure.peak_mb for figure in results[size].values())
        limit = MEMORY_TARGET_MB.get(size)
        peaks.append(f"{peak:.0f} MB" + (f" (target ≤ {limit} MB)" if limit else ""))
    lines.append("| peak memory of any tracker command above | " + " | ".join(peaks) + " |")
    return "\n".join(lines)


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"{platform.system()} {platform.release()}, {cores} cores ({model or platform.machine()}), "
            f"Python {platform.python_version()}, load average at the start {load}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated record counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (the median is shown)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tracker-benchmarks"))
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs tracker (default: this one); a virtual environment's, as a "
                             "clerk installs tracker, starts without the system's site hooks")
    args = parser.parse_args(argv)
    PYTHON[0] = args.python
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[int, dict[str, Figure]] = {}
    tasks: dict[int, dict[str, Figure] | None] = {}
    print(f"machine: {machine()}", flush=True)
    # As after `pip install`, which compiles every module: otherwise a machine that writes no bytecode
    # (PYTHONDONTWRITEBYTECODE) would compile the sources on every run and measure that instead.
    subprocess.run([PYTHON[0], "-m", "compileall", "-q", str(PROJECT / "tracker")], check=True)
    for size in sizes:
        repo = build(args.workdir, size, args.seed)
        print(f"measuring {size:,} records in {repo} ...", file=sys.stderr, flush=True)
        results[size] = bench_tracker(repo, args.runs)
        tasks[size] = bench_taskwarrior(repo, args.workdir, args.runs)
        print(f"{size:,}: " + ", ".join(f"{key} {figure}" for key, figure in results[size].items()), file=sys.stderr,
              flush=True)
    print()
    print(table(results, tasks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
