"""The notebooks in notebooks/ run top to bottom, offline, on the example study; the review
panel they use stores each click as a Reviewer decision."""

from __future__ import annotations

import json
import re
import sys
from html import escape

import pytest

from tests.conftest import REPO, write

NOTEBOOKS = REPO / "notebooks"
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
ANSI_COLOURS = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def test_there_are_notebooks_and_they_are_stored_without_outputs():
    assert [p.name for p in NOTEBOOK_FILES][:1] == ["01_quickstart.ipynb"]
    for path in NOTEBOOK_FILES:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                assert not cell["outputs"] and cell["execution_count"] is None, f"{path.name} has outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path):
    pytest.importorskip("ipykernel")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",  # jupyter_client starts it with this interpreter (the venv's)
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    failure = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        failure = ANSI_COLOURS.sub("", str(error))
    if failure:
        pytest.fail(f"{path.name} broke:\n{failure}", pytrace=False)


# -- the review panel ------------------------------------------------------------------------

BOOK = """\
code,description,parent,kind,keywords
Steun,Hulp van anderen,,mechanism,hulp;helpen
Woning,Over wonen,,outcome,woning;huis
Schaamte,Zich schamen,,bottleneck,schaam;schaamte
"""

TRANSCRIPT = """\
Interviewer: Hoe gaat het?
Dewi: Mijn zus kwam helpen met de verhuizing. Nu heb ik een eigen woning.
Interviewer: En daarvoor?
Dewi: Ik schaamde me, ik vroeg nooit om hulp. Het huis was een puinhoop.
"""


@pytest.fixture
def panel_project(project, tmp_path):
    pytest.importorskip("ipywidgets")
    project.import_transcripts([write(tmp_path / "dewi.txt", TRANSCRIPT)])
    project.segment(unit="sentence")
    project.load_codebook(write(tmp_path / "book.csv", BOOK))
    project.suggest(suggester="lexical", min_score=0.0)
    return project


def _review_panel():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        from review_panel import review_panel
    finally:
        sys.path.remove(str(NOTEBOOKS))
    return review_panel


def test_review_panel_clicks_are_reviewer_decisions(panel_project):
    import ipywidgets

    panel = _review_panel()(panel_project, "anna")
    reviewer = panel_project.reviewer("anna")
    total = reviewer.progress()[1]
    assert isinstance(panel, ipywidgets.VBox) and total >= 3
    assert panel.progress.value == f"anna: 0 of {total} suggestions decided"
    first = panel.current
    assert escape(first.text) in panel.segment.value and escape(first.code) in panel.code.value
    assert escape(first.rationale) in panel.rationale.value

    panel.accept_button.click()
    second = panel.current
    assert second.id != first.id
    panel.reject_button.click()
    assert reviewer.progress() == (2, total)
    assert panel.progress.value == f"anna: 2 of {total} suggestions decided"
    pending = {p.id for p in reviewer.pending()}
    assert first.id not in pending and second.id not in pending

    panel.undo_button.click()  # the reject: the suggestion is pending and on screen again
    assert reviewer.progress() == (1, total)
    assert panel.current.id == second.id and second.id in {p.id for p in reviewer.pending()}

    panel.skip_button.click()  # no decision
    assert reviewer.progress() == (1, total)
    edited = panel.current
    panel.edit_code.value = "Woning"
    panel.edit_button.click()
    assert reviewer.progress() == (2, total)
    coded = panel_project.framework_matrix().counts
    assert coded.get("Woning", default=None) is not None and coded["Woning"].sum() >= 1
    assert edited.id not in {p.id for p in reviewer.pending()}

    panel.undo_button.click()
    panel.undo_button.click()
    assert reviewer.progress() == (0, total)
    panel.undo_button.click()
    assert "nothing to undo" in panel.message.value


def test_review_panel_when_nothing_is_pending(project, tmp_path):
    pytest.importorskip("ipywidgets")
    project.load_codebook(write(tmp_path / "book.csv", BOOK))
    panel = _review_panel()(project, "anna")
    assert panel.current is None and panel.accept_button.disabled
    assert "Nothing left" in panel.segment.value
    panel.accept_button.click()  # a disabled button clicked from code does nothing harmful
    assert project.reviewer("anna").progress() == (0, 0)


@pytest.mark.slow
def test_review_notebook_panel_works_after_run_all():
    """After "Run All" the panel still stores decisions (the last cell no longer closes the
    project): the buttons are driven from a cell added after the notebook's last one."""
    pytest.importorskip("ipykernel")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")

    notebook = nbformat.read(NOTEBOOKS / "03_review.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "before = project.reviewer('anna').progress()[0]\n"
            "panel.accept_button.click()\n"
            "panel.reject_button.click()\n"
            "print('decided', project.reviewer('anna').progress()[0] - before)"
        )
    )
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    output = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    assert "decided 2" in output
