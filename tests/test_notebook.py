"""The course notebook executes from top to bottom (nbclient, as in CI)."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "course_load_imbalance.ipynb"


def test_course_notebook_runs_and_prints_its_numbers(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "output matches numpy: True" in text and "output ok False" not in text
    assert "useful       [5, 4, 3, 2]" in text
    images = [o for c in notebook.cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert images  # the Gantt chart
