"""Which names a notebook cell reads and which it binds, from its syntax tree (shared by the tools).

tools/student_edition.py follows the names an exercise defines to the cells that will raise until it
is solved; tools/grading/assemble.py keeps the instructor cells the checks need. A cell is read as
IPython would run it (magics turned into calls); a cell that does not parse reads and binds nothing.
"""

from __future__ import annotations

import ast


def _python_source(source: str) -> str:
    """The cell as plain Python (IPython magics and shell escapes turned into calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or a transform failed: drop magic lines instead
        return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


class _Names(ast.NodeVisitor):
    """The free names a cell reads, and the names it binds in the notebook's (module) namespace.

    Names local to a function, lambda, class body or comprehension (parameters, assignments inside)
    are not counted as read from the notebook; names they read from outside are.
    """

    def __init__(self) -> None:
        self.scopes: list[tuple[set[str], set[str]]] = [(set(), set())]   # (loads, stores) per scope
        self.global_names: set[str] = set()

    @property
    def used(self) -> set[str]:
        return self.scopes[0][0]

    @property
    def bound(self) -> set[str]:
        return self.scopes[0][1] | self.global_names

    def visit_Name(self, node: ast.Name) -> None:
        loads, stores = self.scopes[-1]
        (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)

    def _inner(self, params: set[str], body: list[ast.AST]) -> None:
        """Visit ``body`` in a new scope; what it reads from outside is read by the enclosing scope."""
        self.scopes.append((set(), set(params)))
        for child in body:
            self.visit(child)
        loads, stores = self.scopes.pop()
        self.scopes[-1][0].update(loads - stores)

    @staticmethod
    def _params(args: ast.arguments) -> set[str]:
        every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
        return {a.arg for a in every}

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.scopes[-1][1].add(node.name)
        for outer in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if outer is not None:
                self.visit(outer)
        self._inner(self._params(node.args), node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for outer in [*node.args.defaults, *node.args.kw_defaults]:
            if outer is not None:
                self.visit(outer)
        self._inner(self._params(node.args), [node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scopes[-1][1].add(node.name)
        for outer in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(outer)
        self._inner(set(), node.body)

    def visit_ListComp(self, node: ast.AST) -> None:
        self._inner(set(), list(ast.iter_child_nodes(node)))

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name != "*":
                self.scopes[-1][1].add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global) -> None:
        self.global_names.update(node.names)


def parse_cell(source: str) -> ast.Module:
    """The cell's syntax tree; an empty one if it does not parse (a student's cell may be anything)."""
    try:
        return ast.parse(_python_source(source))
    except Exception:  # SyntaxError, or RecursionError/MemoryError on absurdly nested input
        return ast.Module(body=[], type_ignores=[])


def cell_names(source: str) -> tuple[set[str], set[str]]:
    """(free names read, names bound in the notebook namespace) of a code cell; empty if it does not parse."""
    return tree_names(parse_cell(source))


def tree_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """:func:`cell_names` of a parsed cell (nothing for a tree too deep to visit)."""
    used: set[str] = set()
    bound: set[str] = set()
    for statement in tree.body:  # in order: a name the cell binds before it reads it is its own
        names = _Names()
        try:
            names.visit(statement)
        except RecursionError:  # a student's absurdly nested expression: the cell reads and binds nothing
            return set(), set()
        used |= names.used - bound
        bound |= names.bound
    return used, bound
