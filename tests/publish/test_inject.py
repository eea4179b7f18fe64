"""Injecting the reference between markers in a README, checking it, the pre-commit hook."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE_CHART, ROOT

from crdoc.errors import CrdocError
from crdoc.loading.loader import load
from crdoc.pipeline import Reference
from crdoc.publish.inject import (
    BEGIN_MARKER,
    END_MARKER,
    check,
    inject,
    injected_markdown,
    shift_heading_levels,
    write_injected,
)
from crdoc.publish.markdown import SINGLE_FILE_MARKER
from crdoc.reports.annotations import annotations_for

README = f"""# My operator

Intro text.

{BEGIN_MARKER}
old reference
{END_MARKER}

## Licence

Apache.
"""


def test_inject_replaces_only_between_markers() -> None:
    result = inject(README, "## New\n\nBody.\n", where="README.md")
    assert result == (
        f"# My operator\n\nIntro text.\n\n{BEGIN_MARKER}\n\n## New\n\nBody.\n\n{END_MARKER}\n"
        "\n## Licence\n\nApache.\n"
    )


def test_inject_is_idempotent_and_normalises_blank_lines() -> None:
    once = inject(README, "\n\nbody\n\n\n", where="README.md")
    assert once == inject(once, "body", where="README.md")
    assert f"{BEGIN_MARKER}\n\nbody\n\n{END_MARKER}\n" in once


def test_inject_keeps_crlf_and_markers_with_spaces() -> None:
    text = f"a\r\n  {BEGIN_MARKER}  \r\nx\r\n{END_MARKER}\r\nb"
    result = inject(text, "one\ntwo", where="R")
    assert result == f"a\r\n  {BEGIN_MARKER}  \r\n\r\none\r\ntwo\r\n\r\n{END_MARKER}\r\nb"


def test_markers_in_code_fences_are_text() -> None:
    text = f"```markdown\n{BEGIN_MARKER}\n{END_MARKER}\n```\n{BEGIN_MARKER}\n{END_MARKER}\n"
    result = inject(text, "new", where="R")
    assert result.startswith(f"```markdown\n{BEGIN_MARKER}\n{END_MARKER}\n```\n")
    assert result.endswith(f"{BEGIN_MARKER}\n\nnew\n\n{END_MARKER}\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "# Title\n",
            f"README.md: no {BEGIN_MARKER} and {END_MARKER} marker lines: "
            "add them where the reference goes",
        ),
        (f"a\n{BEGIN_MARKER}\nb\n", f"README.md:2: {BEGIN_MARKER} has no {END_MARKER} after it"),
        (f"a\nb\n{END_MARKER}\n", f"README.md:3: {END_MARKER} has no {BEGIN_MARKER} before it"),
        (
            f"{END_MARKER}\n{BEGIN_MARKER}\n",
            f"README.md:1: {END_MARKER} comes before {BEGIN_MARKER} (line 2)",
        ),
        (
            f"{BEGIN_MARKER}\n{END_MARKER}\n\n{BEGIN_MARKER}\n{END_MARKER}\n",
            f"README.md:4: second {BEGIN_MARKER} marker (the first is on line 1); "
            "keep one pair of markers",
        ),
        (
            f"{BEGIN_MARKER}\n{END_MARKER}\n{END_MARKER}\n",
            f"README.md:3: second {END_MARKER} marker (the first is on line 2); "
            "keep one pair of markers",
        ),
    ],
)
def test_marker_errors(text: str, message: str) -> None:
    with pytest.raises(CrdocError) as info:
        inject(text, "x", where="README.md")
    assert info.value.format_message() == message


def test_check_and_write(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    diff = check(readme, "new body")
    assert diff is not None
    assert diff.startswith(f"--- {readme}\n+++ {readme} (regenerated)\n")
    assert "-old reference\n" in diff and "+new body\n" in diff
    assert readme.read_text(encoding="utf-8") == README  # check writes nothing
    assert write_injected(readme, "new body") is True
    assert check(readme, "new body") is None
    mtime = readme.stat().st_mtime_ns
    assert write_injected(readme, "new body") is False  # up to date: not rewritten
    assert readme.stat().st_mtime_ns == mtime
    assert readme.read_text(encoding="utf-8").endswith("## Licence\n\nApache.\n")


def test_errors_leave_the_file_untouched(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# No markers\n", encoding="utf-8")
    with pytest.raises(CrdocError) as info:
        write_injected(readme, "body")
    assert info.value.path == str(readme) and info.value.line is None
    assert "no <!-- BEGIN CRDOC -->" in info.value.format_message()
    with pytest.raises(CrdocError):
        check(readme, "body")
    assert readme.read_text(encoding="utf-8") == "# No markers\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]  # no temporary left
    with pytest.raises(CrdocError, match="cannot read"):
        check(tmp_path / "missing.md", "body")


def test_shift_heading_levels() -> None:
    text = "# A\n## B\n```yaml\n# comment\n```\n###### F\n#not a heading\n   ### C\n"
    assert shift_heading_levels(text, 1) == (
        "## A\n### B\n```yaml\n# comment\n```\n###### F\n#not a heading\n   #### C\n"
    )
    assert shift_heading_levels(text, 0) == text


def test_injected_markdown_of_the_example_chart(tmp_path: Path) -> None:
    source = str(EXAMPLE_CHART)
    catalog = load(source)
    annotations = annotations_for(source, None, catalog)
    reference = Reference.of(catalog, annotations)
    flat = injected_markdown(reference, shift_headings=0)
    nested = injected_markdown(reference)
    assert SINGLE_FILE_MARKER not in flat
    assert "\n# alloydbomni-operator API reference\n" in "\n" + flat
    assert "\n## alloydbomni-operator API reference\n" in "\n" + nested
    assert "\n# " not in "\n" + nested.split("```")[0]
    assert 'id="alloydbomni.dbadmin.goog-dbclusters-v1--spec.primarySpec"' in nested
    # Into a README, and then up to date.
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    write_injected(readme, nested)
    assert check(readme, nested) is None
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# My operator\n\nIntro text.\n\n")
    assert text.endswith(f"\n\n{END_MARKER}\n\n## Licence\n\nApache.\n")


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "crdoc-markdown-check"
    assert hook["entry"] == "crdoc markdown --check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
