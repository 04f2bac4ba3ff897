"""The records repository as a git repository: who is writing, and committing what a command touched."""

from __future__ import annotations

from pathlib import Path


def default_author(root: Path) -> str:
    """The git user.name of the records repository, or "" when there is none."""
    try:
        import git

        repo = git.Repo(root, search_parent_directories=True)
        reader = repo.config_reader()
        return str(reader.get_value("user", "name", ""))
    except Exception:  # no git, no repository or no name: the author is simply unknown
        return ""


def inside_git_repository(folder: Path) -> bool:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return True
    return False


def tree_sources(root: Path, rev: str) -> list[tuple[str, bytes]]:
    """Every record file as it was at git revision rev, read from the object store without a checkout."""
    import git

    from tracker.config import RECORDS_DIR
    from tracker.errors import TrackerError

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
    sources = []
    for blob in tree.traverse():
        if blob.type == "blob" and blob.path.endswith(".yaml"):
            rel = blob.path if prefix == "." else blob.path[len(prefix) + 1:]
            sources.append((rel, blob.data_stream.read()))
    return sorted(sources)


def commit_of(root: Path, rev: str = "HEAD") -> str:
    """The short commit ID of rev in the records repository, or "" when there is none."""
    try:
        import git

        repo = git.Repo(root, search_parent_directories=True)
        return str(repo.commit(rev).hexsha[:7])
    except Exception:  # not a repository, or no commits yet
        return ""


def has_uncommitted_records(root: Path) -> bool:
    """Whether records/ differs from the last commit (changed, staged or new files)."""
    try:
        import git

        from tracker.config import RECORDS_DIR

        repo = git.Repo(root, search_parent_directories=True)
        return bool(repo.is_dirty(untracked_files=True, path=str(Path(root).resolve() / RECORDS_DIR)))
    except Exception:  # no git or no repository: there is no commit to differ from
        return False
