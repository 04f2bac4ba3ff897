"""The records repository as a git repository: who is writing, and committing what a command touched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def default_author(root: Path) -> str:
    """The git user.name of the records repository, or "" when there is none."""
    try:
        import git

        repo = git.Repo(root, search_parent_directories=True)
        reader = repo.config_reader()
        return str(reader.get_value("user", "name", ""))
    except Exception:  # noqa: BLE001 -- no git, no repository or no name: the author is simply unknown
        return ""


def inside_git_repository(folder: Path) -> bool:
    return any((candidate / ".git").exists() for candidate in (folder, *folder.parents))


def tree_sources(root: Path, rev: str) -> list[tuple[str, bytes]]:
    """Every record file as it was at git revision rev, read from the object store without a checkout."""
    import git

    from tracker.model.errors import TrackerError
    from tracker.storage.config import RECORDS_DIR

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise TrackerError(f"--ref {rev}: {root} is not in a git repository") from None
    try:
        commit = repo.commit(rev)
    except (git.BadName, ValueError, git.GitCommandError):
        raise TrackerError(f"--ref {rev}: no such revision in {repo.working_dir}") from None
    prefix = Path(root).resolve().relative_to(Path(repo.working_dir).resolve()).as_posix()
    base = RECORDS_DIR if prefix == "." else f"{prefix}/{RECORDS_DIR}"
    try:
        tree = commit.tree / base
    except KeyError:
        return []
    sources: list[tuple[str, bytes]] = []
    for item in tree.traverse():
        if isinstance(item, git.Blob) and str(item.path).endswith(".yaml"):
            path = str(item.path)
            rel = path if prefix == "." else path[len(prefix) + 1 :]
            sources.append((rel, item.data_stream.read()))
    return sorted(sources)


def has_commits(root: Path) -> bool:
    """Whether the records repository is in git and has at least one commit."""
    return bool(commit_of(root))


def merge_base(root: Path, left: str, right: str) -> str:
    """Where branch right left left: the base a pull request is compared against."""
    import git

    from tracker.model.errors import TrackerError

    repo = _repo(root, f"{left}...{right}")
    try:
        bases = repo.merge_base(left, right)
    except git.GitCommandError:
        raise TrackerError(f"{left}...{right}: no such revisions in {repo.working_dir}") from None
    if not bases:
        raise TrackerError(f"{left}...{right}: the two have no history in common")
    return str(bases[0].hexsha)


def commit_of(root: Path, rev: str = "HEAD") -> str:
    """The short commit ID of rev in the records repository, or "" when there is none."""
    import subprocess

    try:  # one git command rather than importing GitPython: renders are timed by the clerk waiting for them
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "--end-of-options",
                               f"{rev}^{{commit}}"], capture_output=True, stdin=subprocess.DEVNULL, check=False)
    except OSError:  # no git
        return ""
    if done.returncode != 0:  # not a repository, or no commits yet
        return ""
    return done.stdout.decode("ascii", "replace").strip()[:7]


def _repo(root: Path, what: str) -> Any:
    import git

    from tracker.model.errors import TrackerError

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise TrackerError(f"{what}: {root} is not in a git repository",
                           hint="run `git init` there first, or leave out --commit") from None


def check_can_commit(root: Path) -> None:
    """Refuse --commit up front (before any file is written) when git could not make the commit."""
    import git

    from tracker.model.errors import TrackerError

    repo = _repo(root, "--commit")
    try:
        repo.git.var("GIT_AUTHOR_IDENT")
    except git.GitCommandError:
        raise TrackerError(
            "--commit: git does not know who you are, so it cannot commit",
            hint='run `git config user.name "Your Name"` and `git config user.email you@example.org`',
        ) from None
    git_dir = Path(repo.git_dir)
    for marker, what, finish in _IN_PROGRESS:
        if (git_dir / marker).exists():
            raise TrackerError(f"--commit: {what} is in progress in this repository; nothing was changed",
                               hint=f"{finish} first, or leave out --commit")
    if repo.head.is_detached:
        raise TrackerError(
            "--commit: HEAD is detached (no branch is checked out), so the commit would belong to no branch and "
            "could be lost; nothing was changed",
            hint="check out a branch first (`git switch main`, or `git switch -c NEW-BRANCH` to keep working "
                 "here), or leave out --commit",
        )


# States in which git is part-way through something of the clerk's; a commit of ours would get mixed into it.
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "finish it (`git commit`) or abandon it (`git merge --abort`)"),
    ("rebase-merge", "a rebase", "finish it (`git rebase --continue`) or abandon it (`git rebase --abort`)"),
    ("rebase-apply", "a rebase or `git am`", "finish it or abandon it (`git rebase --abort` / `git am --abort`)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "finish it or abandon it (`git cherry-pick --abort`)"),
    ("REVERT_HEAD", "a revert", "finish it or abandon it (`git revert --abort`)"),
)


def commit_paths(root: Path, rel_paths: list[str], message: str) -> str:
    """Commit exactly these files as they are on disk, leaving anything else that is staged staged; return the ID."""
    import git

    from tracker.model.errors import TrackerError

    repo = _repo(root, "--commit")
    paths = [str((Path(root) / rel).resolve()) for rel in rel_paths]
    try:
        tracked = set(repo.git.ls_files("--", *paths).splitlines())
        top = Path(repo.working_dir).resolve()
        new = [p for p in paths if Path(p).relative_to(top).as_posix() not in tracked]
        if new:
            # `commit --only` takes paths git already knows; a new record file is introduced first.
            repo.git.add("--", *new)
        repo.git.commit("--only", "--quiet", "-m", message, "--", *paths)
    except git.GitCommandError as err:
        detail = (err.stderr or "").strip().removeprefix("stderr:").strip(" '\n")
        raise TrackerError(f"the files were written but git could not commit them: {detail}",
                           hint="commit them yourself with `git commit`") from None
    return str(repo.head.commit.hexsha)


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author: str
    email: str
    when: dt.datetime
    subject: str

    def to_json(self) -> dict[str, str]:
        return {"commit": self.sha, "author": self.author, "email": self.email, "date": self.when.isoformat(),
                "subject": self.subject}


def file_commits(root: Path, rel_path: str) -> list[CommitInfo]:
    """The commits that touched a file (following renames), oldest first; none outside a git repository."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return []
    path = str((Path(root) / rel_path).resolve())
    try:
        out = repo.git.log("--follow", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s", "--", path)
    except git.GitCommandError:  # no commits yet
        return []
    commits = []
    for line in out.splitlines():
        sha, author, email, when, subject = line.split("\x1f", 4)
        commits.append(CommitInfo(sha, author, email, dt.datetime.fromisoformat(when), subject))
    return list(reversed(commits))


def tracked_by_git(root: Path, rel_paths: list[str]) -> set[str]:
    """Those of rel_paths that git tracks (in the index) in the repository holding root, asked in one call."""
    import subprocess

    if not rel_paths:
        return set()
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--",
                               *(f":(literal){path}" for path in rel_paths)],
                              capture_output=True, stdin=subprocess.DEVNULL, check=False)
    except OSError:  # no git: nothing is tracked
        return set()
    if done.returncode != 0:  # not a git repository
        return set()
    # Named relative to root, as git prints them when run there.
    listed = {name.decode("utf-8", "surrogateescape") for name in done.stdout.split(b"\0") if name}
    return {path for path in rel_paths if path in listed}


def has_uncommitted_records(root: Path) -> bool:
    """Whether records/ differs from the last commit (changed, staged or new files)."""
    import subprocess

    from tracker.storage.config import RECORDS_DIR

    try:
        done = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "-z", "--untracked-files=normal",
                               "--", str(Path(root).resolve() / RECORDS_DIR)],
                              capture_output=True, stdin=subprocess.DEVNULL, check=False)
    except OSError:  # no git
        return False
    # Not a repository (or no commits): there is no commit to differ from.
    return done.returncode == 0 and bool(done.stdout) and commit_of(root) != ""
