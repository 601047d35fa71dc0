"""`tracenp.printing`: debugprint trees, pp text and pydotprint files."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest

import tracenp
from tracenp import function, printing, shared, tensor
from tracenp.printing_ir import format_graph

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is missing")


def _logistic():
    x = tensor.dmatrix("x")
    w = shared(np.zeros(3), name="w")
    p = 1 / (1 + tensor.exp(-tensor.dot(x, w)))
    return x, w, p


def test_debugprint_of_a_variable_is_a_tree_with_tags():
    x, w, p = _logistic()
    y = p * (1 - p)  # p is used twice: printed in full once, then by its tag
    text = printing.debugprint(y, file="str")
    lines = text.splitlines()
    assert lines[0].startswith("mul [id A] f64[?]")
    assert any("dot [id" in ln for ln in lines)
    assert any(ln.lstrip("│├└─ ").startswith("x [id") for ln in lines)
    assert "w [id" in text and "f64[?,?]" in text
    truediv = [ln for ln in lines if "truediv [id" in ln]
    assert len(truediv) == 2 and truediv[1].endswith("···")
    assert truediv[0].split("[id ")[1][:2] == truediv[1].split("[id ")[1][:2]
    assert lines[1].startswith("├─ ")
    assert any(ln.lstrip("│ ").startswith("└─ ") for ln in lines)


def test_debugprint_of_a_function_before_and_after_a_call():
    x, w, p = _logistic()
    f = function([x], p.sum(), updates=[(w, w + 1)])
    before = printing.debugprint(f, file="str")
    assert before.startswith("sum [id A] f64[]") and "add [id" in before
    f(np.ones((2, 3)))
    after = printing.debugprint(f, file="str")
    assert "x [id" in after and "f64[2,3]" in after  # the compiled graph, concrete types
    assert "matmul" in after or "dot" in after


def test_debugprint_writes_to_files_and_stdout(capsys):
    x = tensor.dvector("x")
    buf = io.StringIO()
    assert printing.debugprint(x * 2, file=buf) is None
    assert buf.getvalue().startswith("mul [id A]")
    printing.debugprint([x * 2, x + 1], print_type=False)
    out = capsys.readouterr().out.splitlines()
    assert out == ["mul [id A]", "├─ x [id B]", "└─ 2 [id C]",
                   "add [id D]", "├─ x [id B]", "└─ 1 [id E]"]
    with pytest.raises(TypeError, match="debugprint"):
        printing.debugprint(3.0)


def test_pp_is_the_jaxpr_like_text():
    x = tensor.dscalar("x")
    f = function([x], tensor.exp(x) * 2)
    with pytest.raises(ValueError, match="not been called"):
        printing.pp(f)
    f(1.0)
    assert printing.pp(f) == format_graph(f.graph())
    assert "exp" in printing.pp(f) and "f64[]" in printing.pp(f)
    text = printing.pprint(tensor.grad(x ** 3, x))  # Theano's name; unknown dims traced
    assert text.startswith("{ lambda a:f64[] .") and "power a" in text


def test_pydotprint_dot_text_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(printing.shutil, "which", lambda name: None)
    x, w, p = _logistic()
    f = function([x], p, updates=[(w, w * 2)])
    out = tmp_path / "g.dot"
    assert printing.pydotprint(f, outfile=str(out)) == str(out)
    text = out.read_text()
    assert text.startswith("digraph G {") and 'label="x\\nf64[?,?]"' in text
    assert 'label="update of w"' in text and 'label="output 0"' in text
    simple = printing.to_dot(f, var_with_name_simple=True)
    assert 'label="x"' in simple
    with pytest.raises(RuntimeError, match="install graphviz"):
        printing.pydotprint(f, outfile=str(tmp_path / "g.png"))


def test_pydotprint_rejects_unknown_formats(tmp_path):
    x = tensor.dvector("x")
    with pytest.raises(ValueError, match="png, svg, pdf"):
        printing.pydotprint(x * 2, outfile=str(tmp_path / "g.gif"))


@needs_dot
@pytest.mark.parametrize("ext, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg"),
                                        ("pdf", b"%PDF")])
def test_pydotprint_writes_pictures(tmp_path, ext, magic):
    x, w, p = _logistic()
    f = function([x], p)
    f(np.ones((2, 3)))
    out = tmp_path / f"graph.{ext}"
    printing.pydotprint(f, outfile=str(out), var_with_name_simple=True)
    data = out.read_bytes()
    assert magic in data[:400]
    forced = tmp_path / "graph.out"
    printing.pydotprint(p, outfile=str(forced), format=ext)
    assert magic in forced.read_bytes()[:400]


def test_printing_is_reachable_from_the_package():
    assert tracenp.printing.debugprint is printing.debugprint
