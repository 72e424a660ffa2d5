"""The ribbon add-in: a "Lead Scoring" tab whose **Refresh Scores** button refreshes the active workbook.

The add-in is xlwings' own Excel-made ribbon template (``quickstart_addin_ribbon.xlam``,
what ``xlwings quickstart NAME --addin --ribbon`` copies), taken from the installed
xlwings package because its VBA declares the xlwings DLL of that very version. Only
``customUI/customUI.xml`` is replaced; every other part, the VBA project included, is
copied byte for byte. No VBA is generated here: nothing could check it without Excel.

How the button reaches Python, all in the template's own VBA:

1. the button's ``onAction`` is the template's callback ``RibbonMyAddin.RunMain``;
2. ``RunMain`` takes the add-in's file name without its extension as a module name and
   runs ``RunPython "import <name>; <name>.main()"``;
3. so the add-in is called :data:`ADDIN_NAME` = ``leadscore_xl.addin.xlam`` and Python
   runs :func:`main` below, which refreshes the active workbook through
   :mod:`leadscore_xl.refresh.book_live`. Renaming the file would break the button, which is why
   :func:`build_addin` insists on the name.

The template's VBA reads its settings (``Interpreter_Win``, ``Conda Path``...) from a
``myaddin.conf`` sheet or file (its ``PROJECT_NAME``), not from ``xlwings.conf``; with
neither, it runs ``python`` from the PATH. See the README's installation section.

This module does not import xlwings (the core stays free of it); :func:`main` imports
:mod:`leadscore_xl.refresh.book_live` only when Excel calls it.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from leadscore_xl.errors import BookError, quote

__all__ = ["ADDIN_NAME", "CUSTOM_UI", "TAB_LABEL", "BUTTON_LABEL", "build_addin", "custom_ui", "main",
           "template_callback", "template_path"]  # fmt: skip

ADDIN_NAME = "leadscore_xl.addin.xlam"
TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
CUSTOM_UI = "customUI/customUI.xml"
UI_NAMESPACE = "http://schemas.microsoft.com/office/2006/01/customui"
TAB_LABEL = "Lead Scoring"
BUTTON_LABEL = "Refresh Scores"
_SUPERTIP = ("Scores every lead of the active workbook, refits the model on the Deals sheet "
             "and rebuilds the Model and Report sheets.")  # fmt: skip


def template_path() -> Path:
    """The ribbon add-in template shipped in the installed xlwings package."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise BookError("xlwings is not installed; run: pip install xlwings")
    path = Path(list(spec.submodule_search_locations)[0]) / TEMPLATE_NAME
    if not path.is_file():
        raise BookError(
            f"The installed xlwings has no {TEMPLATE_NAME} (looked in {path.parent}); "
            "install an xlwings version that ships it: pip install --upgrade xlwings"
        )
    return path


def template_callback(xml: bytes) -> str:
    """The ``onAction`` callback of the template's one button, e.g. ``RibbonMyAddin.RunMain``."""
    root = ElementTree.fromstring(xml)
    actions = [b.get("onAction") for b in root.iter(f"{{{UI_NAMESPACE}}}button") if b.get("onAction")]
    if len(actions) != 1:
        raise BookError(
            f"The xlwings ribbon template has {len(actions)} buttons with a callback, not 1; "
            "this xlwings version is not supported: pip install xlwings==0.37.8"
        )
    return str(actions[0])


def custom_ui(callback: str) -> bytes:
    """Our ribbon: one tab, one group, one large button wired to ``callback``."""
    ElementTree.register_namespace("", UI_NAMESPACE)
    ns = f"{{{UI_NAMESPACE}}}"
    root = ElementTree.Element(f"{ns}customUI")
    tabs = ElementTree.SubElement(ElementTree.SubElement(root, f"{ns}ribbon"), f"{ns}tabs")
    tab = ElementTree.SubElement(tabs, f"{ns}tab", id="leadScoringTab", label=TAB_LABEL)
    group = ElementTree.SubElement(tab, f"{ns}group", id="leadScoringGroup", label="Scores")
    ElementTree.SubElement(
        group, f"{ns}button", id="refreshScoresButton", label=BUTTON_LABEL, size="large",
        onAction=callback, imageMso="Refresh", screentip=BUTTON_LABEL, supertip=_SUPERTIP,
    )  # fmt: skip
    ElementTree.indent(root, "    ")
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return (declaration + ElementTree.tostring(root, encoding="unicode")).encode("utf-8")


def _target(output_path: Path | str) -> Path:
    target = Path(output_path)
    if target.is_dir():
        return target / ADDIN_NAME
    if target.name != ADDIN_NAME:
        raise BookError(
            f"The add-in must be called {ADDIN_NAME}, not {quote(target.name)}: its button "
            f"imports the Python module named like the file; write it to a folder or to .../{ADDIN_NAME}"
        )
    if not target.parent.is_dir():
        raise BookError(f"Folder {quote(str(target.parent))} does not exist; create it or pick another folder")
    return target


def build_addin(output_path: Path | str) -> Path:
    """Write the ribbon add-in to ``output_path`` (a folder, or a path ending in
    :data:`ADDIN_NAME`) and return its path. Byte-identical for one xlwings version."""
    target = _target(output_path)
    source = template_path()
    with zipfile.ZipFile(source) as src:
        names = src.namelist()
        if CUSTOM_UI not in names:
            raise BookError(f"{source} has no {CUSTOM_UI}; this xlwings version is not supported")
        ribbon = custom_ui(template_callback(src.read(CUSTOM_UI)))
        partial = target.with_name(target.name + ".partial")
        try:
            with zipfile.ZipFile(partial, "w") as dst:
                for info in src.infolist():
                    body = ribbon if info.filename == CUSTOM_UI else src.read(info.filename)
                    dst.writestr(info, body, compress_type=info.compress_type)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return target


def main() -> None:
    """What the Refresh Scores button runs (see the module docstring)."""
    from leadscore_xl.refresh import book_live  # imports xlwings; only ever called from Excel

    book_live.main()
