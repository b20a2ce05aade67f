"""engine.callbacks.progbar."""

from __future__ import annotations

import io

from engine import callbacks as C


def test_progbar_verbose_1_final_line_and_eta():
    out = io.StringIO()
    bar = C.Progbar(target=32, verbose=1, stream=out)
    bar.update(10, [("loss", 0.69312)])  # not a terminal: nothing until the end
    assert out.getvalue() == ""
    bar.dynamic = True
    bar._last_update = 0
    bar.update(16, [("accuracy", 0.5), ("loss", 0.69312)])
    line = out.getvalue()
    assert line.startswith("\r16/32 ━━━━━━━━━━") and " 0s" in line  # 0s ETA
    assert "/step - loss: 0.6931 - accuracy: 0.5000" in line  # keys in first-seen order, as Keras
    bar.update(32, [("accuracy", 0.75), ("loss", 0.5)], finalize=True)
    final = out.getvalue().split("\r")[-1]
    assert final.startswith("32/32 ━━━━━━━━━━━━━━━━━━━━ 0s ") and final.endswith("\n")
    assert final.rstrip().endswith("- loss: 0.5000 - accuracy: 0.7500")
