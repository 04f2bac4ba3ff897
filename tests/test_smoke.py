from pathlib import Path

from tests.conftest import Run


def test_bundled_records_validate(bundled: Path, run: Run) -> None:
    result = run(bundled, "validate")
    assert result.exit_code == 0, result.output
    assert "93 records checked, 0 problems" in result.stderr
