"""The shape of the code: ``leads`` is the core, apps share no views, nothing imports itself
back through a cycle. Read from the imports themselves (grimp's graph, every import, in a
function too; those made for type checking only aside)."""

import grimp
import pytest

APPS = (
    "leads",
    "scoring",
    "sales",
    "sla",
    "reporting",
    "evidence",
    "integrations",
    "capture",
    "audit",
    "demo",
)
PACKAGES = (*APPS, "leadfunnel")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)


def _imports(graph, module: str) -> set[str]:
    return graph.find_modules_directly_imported_by(module)


def _package(module: str) -> str:
    return module.partition(".")[0]


def test_the_core_imports_no_other_app_nor_the_project_package(graph):
    found = {
        (module, imported)
        for module in graph.find_descendants("leads") | {"leads"}
        for imported in _imports(graph, module)
        if _package(imported) in PACKAGES and _package(imported) != "leads"
    }
    assert not found


def test_no_app_imports_another_apps_views(graph):
    found = {
        (module, imported)
        for module in graph.modules
        for imported in _imports(graph, module)
        if _package(imported) != _package(module)
        and ".views" in f"{imported}."
        and _package(imported) in APPS
    }
    assert not found


def test_no_module_imports_itself_back_through_a_cycle(graph):
    cycles = set()
    for module in graph.modules:
        for imported in _imports(graph, module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add((module, *back))
    assert not cycles
