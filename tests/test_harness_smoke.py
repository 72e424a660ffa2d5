from __future__ import annotations
import leadscore_udfs
import xlharness
def test_smoke():
    f = leadscore_udfs.LEADSCORE
    assert f.__xlfunc__["name"] == "LEADSCORE"
    print(f.__xlfunc__)
    out = xlharness.call(f, [["A", 3.0]], [["a", "b"]], [["Attribute", "Operator", "Value", "Points"], ["a", "=", "A", 5.0]])
    print(out)
