"""The ribbon add-in: xlwings' own template with only customUI.xml replaced.

Reference: the installed xlwings package's ``quickstart_addin_ribbon.xlam`` (what
``xlwings quickstart NAME --addin --ribbon`` copies). Its customUI wires one button to
``RibbonMyAddin.RunMain``, a VBA Sub that runs ``import <file stem>; <file stem>.main()``.
"""

from __future__ import annotations

import importlib
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from leadscore_xl import addin
from leadscore_xl.errors import BookError

NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("addin"))


def test_built_into_a_folder_under_the_name_the_button_needs(built: Path) -> None:
    assert built.name == "leadscore_xl.addin.xlam"
    with zipfile.ZipFile(built) as z:
        assert z.testzip() is None
    assert not list(built.parent.glob("*.partial"))


def test_every_part_but_customui_is_the_templates_byte_for_byte(built: Path) -> None:
    with zipfile.ZipFile(addin.template_path()) as t, zipfile.ZipFile(built) as z:
        assert z.namelist() == t.namelist()
        for name in t.namelist():
            if name != "customUI/customUI.xml":
                assert z.read(name) == t.read(name), name
                assert z.getinfo(name).date_time == t.getinfo(name).date_time, name
        assert z.read("xl/vbaProject.bin") == t.read("xl/vbaProject.bin")
        assert len(z.read("xl/vbaProject.bin")) > 10_000
        assert z.read("customUI/customUI.xml") != t.read("customUI/customUI.xml")


def test_customui_has_our_tab_and_button_wired_to_the_templates_callback(built: Path) -> None:
    with zipfile.ZipFile(addin.template_path()) as t, zipfile.ZipFile(built) as z:
        template_root = ElementTree.fromstring(t.read("customUI/customUI.xml"))
        root = ElementTree.fromstring(z.read("customUI/customUI.xml"))
    template_action = next(template_root.iter(f"{NS}button")).get("onAction")
    assert template_action == "RibbonMyAddin.RunMain"
    assert root.tag == f"{NS}customUI"
    assert [e.tag for e in root] == [f"{NS}ribbon"]
    tabs = list(root.iter(f"{NS}tab"))
    assert [t.get("label") for t in tabs] == ["Lead Scoring"]
    buttons = list(tabs[0].iter(f"{NS}button"))
    assert [(b.get("label"), b.get("onAction"), b.get("size")) for b in buttons] == [
        ("Refresh Scores", template_action, "large")
    ]
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids)) == 3
    assert all(NCNAME.match(i) for i in ids)
    assert all(len(e.get("label", "")) <= 1024 and len(e.get("supertip", "")) <= 1024 for e in root.iter())


def test_the_package_still_points_at_customui_and_the_vba_has_the_callback(built: Path) -> None:
    with zipfile.ZipFile(built) as z:
        rels = ElementTree.fromstring(z.read("_rels/.rels"))
        vba = z.read("xl/vbaProject.bin")
    targets = {r.get("Target"): r.get("Type") for r in rels}
    assert targets["customUI/customUI.xml"] == UI_REL
    assert b"Module=RibbonMyAddin" in vba  # the PROJECT stream (plain text) lists the module
    assert b"RunMain" in vba


def test_the_file_name_imports_a_module_with_main() -> None:
    # RunMain: mymodule = Left(ThisWorkbook.Name, InStrRev(ThisWorkbook.Name, ".") - 1)
    module_name = addin.ADDIN_NAME.rsplit(".", 1)[0]
    assert module_name == "leadscore_xl.addin"
    module = importlib.import_module(module_name)
    assert callable(module.main)


def test_the_refresh_it_calls_exists() -> None:
    book_live = pytest.importorskip("leadscore_xl.refresh.book_live")
    assert callable(getattr(book_live, "main", None)), "leadscore_xl.addin.main calls book_live.main()"


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    again = addin.build_addin(tmp_path / addin.ADDIN_NAME)
    assert again.read_bytes() == built.read_bytes()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("LeadScoring.xlam", 'The add-in must be called leadscore_xl.addin.xlam, not "LeadScoring.xlam": its button '
                             "imports the Python module named like the file"),
        ("missing/leadscore_xl.addin.xlam", "does not exist; create it or pick another folder"),
    ],
)  # fmt: skip
def test_bad_output_paths_are_refused_with_a_fix(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(BookError, match=re.escape(message)):
        addin.build_addin(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_custom_ui_escapes_and_parses() -> None:
    xml = addin.custom_ui('Module.Run"Me')
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    button = next(ElementTree.fromstring(xml).iter(f"{NS}button"))
    assert button.get("onAction") == 'Module.Run"Me'


def test_a_template_with_two_callbacks_is_refused() -> None:
    xml = (f'<customUI xmlns="{NS[1:-1]}"><ribbon><tabs><tab id="t"><group id="g">'
           '<button id="a" onAction="A.B"/><button id="b" onAction="C.D"/></group></tab></tabs></ribbon></customUI>')  # fmt: skip
    with pytest.raises(BookError, match="has 2 buttons with a callback, not 1"):
        addin.template_callback(xml.encode())
