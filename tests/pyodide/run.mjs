// Load leadscore_udfs into real Pyodide (Node), with xlwings' Office.js code path, and
// print one JSON line: what custom_functions_meta registers and what calls return.
// Usage: node run.mjs REPO_ROOT WHEEL_DIR    (see tests/test_lite_pyodide.py)
import { loadPyodide } from "pyodide";
import fs from "node:fs";
import path from "node:path";

const [repo, wheels] = process.argv.slice(2);
const py = await loadPyodide();
const site = py.runPython("import site; site.getsitepackages()[0]");
const put = (from, to) => {
  py.FS.mkdirTree(path.posix.dirname(to));
  py.FS.writeFile(to, fs.readFileSync(from));
};
for (const name of fs.readdirSync(wheels).filter((n) => n.endsWith(".whl"))) {
  put(path.join(wheels, name), `/tmp/${name}`);
  py.runPython(`import zipfile; zipfile.ZipFile("/tmp/${name}").extractall("${site}")`);
}
for (const name of fs.readdirSync(path.join(repo, "udfs")).filter((n) => n.endsWith(".py"))) {
  put(path.join(repo, "udfs", name), `${site}/leadscore_udfs/${name}`);
}
put(path.join(repo, "leadscore_xl", "errors.py"), `${site}/leadscore_xl/errors.py`);
py.FS.writeFile(`${site}/leadscore_xl/__init__.py`, "");
put(path.join(repo, "tests", "pyodide", "stub_core.py"), `${site}/stub_core.py`);

py.runPython(`
import json, os, sys
os.environ["XLWINGS_ON_SERVER"] = "true"              # xlwings' Office.js decorators, as in Lite
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"   # xlwings' free key, for this test only
import stub_core
import xlwings
import leadscore_udfs
from xlwings.server import custom_functions_call, custom_functions_meta

async def call(name, args):  # Lite awaits custom functions on the browser event loop
    data = {"func_name": name, "args": args.to_py(), "version": xlwings.__version__,
            "client": "Office.js", "runtime": "1.4", "culture_info_name": "en-US"}
    return json.dumps(await custom_functions_call(data, leadscore_udfs))

def seen(rows):
    """The Python types of the cells of a JS array as Pyodide converts them."""
    return json.dumps([[type(v).__name__ for v in row] for row in rows.to_py()])
`);
const call = py.globals.get("call");
const meta = JSON.parse(py.runPython("json.dumps(custom_functions_meta(leadscore_udfs))"));
const leads = [["Lead ID", "Employees", "Score", "Demo", "Created"], ["L1", 50, 2.5, true, 46112], ["L2", null, -3, false, 46000.25]];
const out = {
  platform: py.runPython("sys.platform"),
  openpyxl: py.runPython("import openpyxl; openpyxl.__version__"),
  all: py.runPython("json.dumps(leadscore_udfs.__all__)"),
  meta: meta.functions.map((f) => ({ name: f.name, parameters: f.parameters.map((p) => p.name) })),
  types: JSON.parse(py.globals.get("seen")(leads)),
  echo: JSON.parse(await call("LEADSCORES", [leads, [["Rules"]], null, null, null])),
  message: JSON.parse(await call("LEADGRADE", [[["raise"]], null, null])),
  nan: JSON.parse(await call("LEADSCORE", [[["nan"]], [["h"]], [["r"]], null, null])),
};
console.log(JSON.stringify(out));
