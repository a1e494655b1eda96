"""The documents work as written.

Every ``seguiment ...`` command in a shell block (```` ```sh ````) of README.md,
CONTRIBUTING.md and docs/*.md is parsed by the command line's own parser and, unless it is
listed in ``SKIPPED_BY_DESIGN`` with the reason, run through ``cli.main`` on a temporary SQLite
database, one fresh workspace per document, in the document's order (a later command may use
what an earlier one made). It must exit 0. No documented command sends mail; the ones that
serve, need PostgreSQL or run a full-size benchmark are the skipped ones.

The deployment snippets are checked too: the systemd unit with ``systemd-analyze verify``
when it is installed, the environment file against the settings, the cron lines with a small
parser (five time fields, no bare ``%``) and ``sh -n``, the nginx block with ``nginx -t`` when
nginx is installed and a statement/brace check always. Relative links between the documents
must point at a file and a heading that exist.
"""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from cli import build_parser, main
from indicators.reporting import dashboard_data
from indicators.reporting.pack.charts import find_browser
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from plan_model.loader import load_plan
from settings import Settings, get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [
    REPO_ROOT / "README.md",
    REPO_ROOT / "CONTRIBUTING.md",
    *sorted((REPO_ROOT / "docs").glob("*.md")),
]
SHELL_LANGUAGES = frozenset({"sh", "bash", "shell", "console"})
OPERATORS = frozenset({"&&", "||", ";", "|", "&"})
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# a strong key for every command: the documents show placeholders or `$(...)` there
TEST_SECRET_KEY = "k3Y-" + "0123456789abcdefABCDEF" * 3
# documented placeholders and what the test types instead
PLACEHOLDERS = {"...": "a-long-enough-password"}


# --- reading the documents -------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One fenced block: ```` ```info ```` ... ```` ``` ````."""

    document: Path
    line: int  # of the opening fence, 1-based
    language: str
    title: str | None
    text: str

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(REPO_ROOT)}:{self.line}"


FENCE = re.compile(r"^```(?P<info>[^`]*)$")
TITLE = re.compile(r'title="(?P<title>[^"]+)"')


def fenced_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    opened: tuple[int, str] | None = None
    body: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = FENCE.match(line.strip())
        if match is None:
            if opened is not None:
                body.append(line)
            continue
        if opened is None:
            opened, body = (number, match["info"].strip()), []
            continue
        start, info = opened
        language = info.split(maxsplit=1)[0] if info else ""
        title = TITLE.search(info)
        blocks.append(
            Block(path, start, language, title["title"] if title else None, "\n".join(body))
        )
        opened = None
    assert opened is None, f"{path}: the block opened at line {opened[0]} is never closed"
    return blocks


ALL_BLOCKS = [block for path in DOCUMENTS for block in fenced_blocks(path)]


@dataclass(frozen=True)
class Command:
    """A ``seguiment`` command of a shell block, with the variables set for it."""

    block: Block
    line: int  # inside the document
    text: str
    argv: tuple[str, ...]  # after ``seguiment``
    env: tuple[tuple[str, str], ...] = ()

    @property
    def where(self) -> str:
        return f"{self.block.document.relative_to(REPO_ROOT)}:{self.line}"

    @property
    def environment(self) -> dict[str, str]:
        return dict(self.env)

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def logical_lines(block: Block) -> Iterator[tuple[int, str]]:
    """The block's lines with backslash continuations joined, and their line numbers."""
    pending: list[str] = []
    first = 0
    for offset, raw in enumerate(block.text.splitlines(), start=1):
        if not pending:
            first = block.line + offset
        if raw.rstrip().endswith("\\"):
            pending.append(raw.rstrip()[:-1])
            continue
        pending.append(raw)
        yield first, " ".join(pending)
        pending = []


def simple_commands(line: str) -> list[list[str]]:
    """``a && b; c`` → ``[[a], [b], [c]]`` (comments dropped, quotes removed)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segments: list[list[str]] = [[]]
    for token in lexer:
        if token in OPERATORS:
            segments.append([])
        else:
            segments[-1].append(token)
    return [s for s in segments if s]


def is_seguiment(word: str) -> bool:
    return word == "seguiment" or word.endswith("/seguiment")


def commands_of(block: Block) -> list[Command]:
    found: list[Command] = []
    exported: dict[str, str] = {}
    for number, line in logical_lines(block):
        for words in simple_commands(line):
            if words[0] == "export":
                for word in words[1:]:
                    name, sep, value = word.partition("=")
                    if sep:
                        exported[name] = value
                continue
            prefix: dict[str, str] = {}
            while words and "=" in words[0] and NAME.match(words[0].split("=", 1)[0]):
                name, value = words.pop(0).split("=", 1)
                prefix[name] = value
            if words and is_seguiment(words[0]):
                argv = tuple(PLACEHOLDERS.get(w, w) for w in words[1:])
                env = {**exported, **prefix}
                found.append(Command(block, number, line.strip(), argv, tuple(env.items())))
    return found


SHELL_BLOCKS = [b for b in ALL_BLOCKS if b.language in SHELL_LANGUAGES]
COMMANDS = [c for b in SHELL_BLOCKS for c in commands_of(b)]


# --- which commands are not run, and why --------------------------------------------------------


def _database(command: Command) -> str:
    return command.environment.get("DATABASE_URL", "sqlite:///seguiment.db")


def _full_size_bench(command: Command) -> bool:
    sizes = {"--rows", "--repeats", "--repeat"}
    return command.argv[:2] in (("bench", "import"), ("bench", "status")) and not (
        sizes & set(command.argv)
    )


@dataclass(frozen=True)
class Skip:
    applies: Callable[[Command], bool]
    reason: str
    by_design: bool = True  # False: depends on this machine (a missing browser)


SKIPPED_BY_DESIGN: dict[str, Skip] = {
    "serve": Skip(
        lambda c: c.argv[:1] == ("serve",),
        "starts the web server, which runs until it is stopped (tested by "
        "tests/cli/test_serve_cli.py and the browser tests)",
    ),
    "postgresql": Skip(
        lambda c: _database(c).startswith("postgresql"),
        "needs the PostgreSQL server the document names",
    ),
    "bench pages": Skip(
        lambda c: c.argv[:2] == ("bench", "pages"),
        "serves the app on a local port and drives Chromium for minutes "
        "(tests/cli/test_bench_pages.py)",
    ),
    "bench load": Skip(
        lambda c: c.argv[:2] == ("bench", "load"),
        "runs gunicorn workers on PostgreSQL for minutes (tests/cli/test_bench_load.py)",
    ),
    "full-size bench": Skip(
        _full_size_bench,
        "a full-size measurement of a minute or more; the quick runs documented beside it are run",
    ),
    "no browser": Skip(
        lambda c: c.argv[:1] == ("report",) and find_browser() is None,
        "draws its charts with Chromium, which is not installed here",
        by_design=False,
    ),
}


def skip_reason(command: Command) -> str | None:
    for name, skip in SKIPPED_BY_DESIGN.items():
        if skip.applies(command):
            return f"{name}: {skip.reason}"
    return None


# --- the parser -------------------------------------------------------------------------------


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_the_documents_show_commands() -> None:
    documents = {c.block.document.name for c in COMMANDS}
    assert {
        "tecnics.md",
        "quadre.md",
        "administration.md",
        "metodologia.md",
        "development.md",
    } <= documents
    assert len(COMMANDS) >= 25


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_documented_command_parses(command: Command) -> None:
    parser = build_parser()
    assert command.argv, command
    assert command.argv[0] in subcommands(parser), f"{command}: no such command"
    try:
        args = parser.parse_args(list(command.argv))
    except SystemExit as exc:
        pytest.fail(f"{command}: the parser refuses it (exit {exc.code})")
    assert callable(args.handler)


INLINE = re.compile(r"`seguiment ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?[^`]*`")


def test_inline_commands_name_real_subcommands() -> None:
    """`` `seguiment import FITXER` `` in running text: the command (and its action) exist."""
    parser = build_parser()
    commands = subcommands(parser)
    seen = 0
    for path in DOCUMENTS:
        for match in INLINE.finditer(path.read_text(encoding="utf-8")):
            seen += 1
            name, action = match[1], match[2]
            assert name in commands, f"{path.name}: {match[0]}"
            actions = subcommands(commands[name])
            if actions and action is not None:
                assert action in actions, f"{path.name}: {match[0]}"
    assert seen >= 20


def test_the_command_reference_lists_every_command() -> None:
    """administration.md's table names each command (and each action) the parser has."""
    text = (REPO_ROOT / "docs" / "administration.md").read_text(encoding="utf-8")
    reference = text.split("## The command line", 1)[1]
    rows = [line for line in reference.splitlines() if line.startswith("| `")]
    listed: dict[str, set[str]] = {}
    for row in rows:
        for span in re.findall(r"`([^`]+)`", row.split(" | ", 1)[0]):
            name, _, rest = span.partition(" ")
            actions = re.match(r"[a-z][a-z|-]*", rest.replace("\\|", "|"))
            listed.setdefault(name, set()).update(actions[0].split("|") if actions else ())
    commands = subcommands(build_parser())
    assert set(listed) == set(commands)
    for name, parser in commands.items():
        assert set(subcommands(parser)) <= listed[name], name


def test_skips_are_by_design_and_all_used() -> None:
    """The skip list is exact: each rule by design is used by a documented command."""
    used = {name for name, skip in SKIPPED_BY_DESIGN.items() for c in COMMANDS if skip.applies(c)}
    by_design = {name for name, skip in SKIPPED_BY_DESIGN.items() if skip.by_design}
    assert by_design <= used, f"rules no document needs: {sorted(by_design - used)}"
    skipped = [c for c in COMMANDS if skip_reason(c)]
    assert len(skipped) < len(COMMANDS) / 3, [str(c) for c in skipped]


# --- running them -------------------------------------------------------------------------------


@dataclass
class Workspace:
    root: Path
    templates: set[Path] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.root / 'seguiment.db'}"

    def database(self, documented: str | None) -> str:
        """Any SQLite file a document names is made inside the workspace."""
        if documented is None:
            return self.url
        name = Path(documented.split(":///", 1)[1]).name
        return f"sqlite:///{self.root / name}"


def fill_template(path: Path) -> None:
    """What the documents ask between `seguiment template` and `seguiment import`: fill the
    Valor column (each numeric indicator its baseline, each milestone «Iniciat»)."""
    plan = load_plan(get_settings().plan_path)
    book = openpyxl.load_workbook(path)
    sheet = book["Dades"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "Valor" in r)
    value_col = rows[header].index("Valor") + 1
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        indicator = plan.indicator_by_code.get(str(row[0]))
        if indicator is None:
            continue
        cell = sheet.cell(row=number, column=value_col)
        if indicator.is_milestone:
            cell.value = "Iniciat"
        else:
            assert indicator.baseline is not None
            cell.value = indicator.baseline.value
    book.save(path)


def run_command(
    command: Command,
    space: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    env = command.environment
    url = space.database(env.get("DATABASE_URL"))
    space.urls.add(url)
    argv = list(command.argv)
    if argv[:1] == ["import"]:
        for word in argv[1:]:
            target = space.root / word
            if target in space.templates:
                fill_template(target)
                space.templates.discard(target)
    with monkeypatch.context() as patch:
        patch.chdir(space.root)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.setenv("DATABASE_URL", url)
        patch.setenv("SECRET_KEY", TEST_SECRET_KEY)
        get_settings.cache_clear()
        try:
            code = main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        finally:
            get_settings.cache_clear()
    if argv[:1] == ["template"] and code == 0:
        output = argv[argv.index("-o") + 1] if "-o" in argv else None
        if output:
            space.templates.add(space.root / output)
    captured = capsys.readouterr()
    return code, (captured.out + captured.err)[-3000:]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    space = Workspace(tmp_path)
    for name in ("ENVIRONMENT", "CACHE_URL", "PLAN_PATH", "SHARED_PAGE_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEMO_DIR", str(tmp_path / "demo"))
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    upgrade(space.url)  # as `make run` does before anything else
    yield space
    for url in space.urls | {space.url}:
        get_engine(url).dispose()
    dashboard_data.clear_caches()
    get_settings.cache_clear()


DOCUMENTS_WITH_COMMANDS = sorted({c.block.document for c in COMMANDS})


@pytest.mark.parametrize(
    "document", DOCUMENTS_WITH_COMMANDS, ids=lambda p: str(p.relative_to(REPO_ROOT))
)
def test_documented_commands_run(
    document: Path,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran, left_out = 0, []
    for command in (c for c in COMMANDS if c.block.document == document):
        reason = skip_reason(command)
        if reason is not None:
            left_out.append(f"{command} ({reason})")
            continue
        code, output = run_command(command, workspace, monkeypatch, capsys)
        assert code == 0, f"{command}: exit {code}\n{output}"
        ran += 1
    machine = [line for line in left_out if line.split(" (", 1)[1].startswith("no browser")]
    if machine:
        pytest.skip(f"ran {ran} commands; left out: {machine}")
    assert ran or left_out


def test_the_template_is_filled_as_the_documents_ask(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the filling step, importing the blank template is refused: the run above
    really imports values."""
    block = Block(
        REPO_ROOT / "docs" / "tecnics.md",
        1,
        "sh",
        None,
        "seguiment template --service SAD --period 2025-T4 -o blank.xlsx\n"
        "seguiment import blank.xlsx --dry-run",
    )
    template, check = commands_of(block)
    assert run_command(template, workspace, monkeypatch, capsys)[0] == 0
    workspace.templates.clear()  # skip the filling
    code, output = run_command(check, workspace, monkeypatch, capsys)
    assert code == 1 and "no té cap valor" in output


# --- deployment snippets ------------------------------------------------------------------------


def titled(suffixes: tuple[str, ...]) -> list[Block]:
    return [b for b in ALL_BLOCKS if b.language == "ini" and b.title and b.title.endswith(suffixes)]


UNITS = titled((".service", ".timer", ".socket"))
ENV_FILES = titled((".env",))


def unit_sections(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's ``[Section]`` → ``key`` → values (no systemd needed)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            assert line.endswith("]"), f"line {number}: bad section header {line!r}"
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"line {number}: a key outside any section"
        key, sep, value = line.partition("=")
        assert sep and NAME.match(key.strip()), f"line {number}: not key=value: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_deployment_snippets_are_there() -> None:
    languages = {b.language for b in ALL_BLOCKS}
    assert UNITS and ENV_FILES and {"cron", "nginx"} <= languages


@pytest.mark.parametrize("unit", UNITS, ids=lambda b: b.where)
def test_systemd_unit(unit: Block, tmp_path: Path) -> None:
    sections = unit_sections(unit.text)
    # a service started by a timer has no [Install]; the timer has one, and no [Service]
    required = {".timer": {"Unit", "Timer", "Install"}}.get(
        Path(unit.title or "").suffix, {"Unit", "Service"}
    )
    assert required <= set(sections), unit.where
    service = sections.get("Service", {})
    parser = build_parser()
    for start in service.get("ExecStart", []) + service.get("ExecStartPre", []):
        words = shlex.split(start)
        if is_seguiment(words[0]):
            parser.parse_args(words[1:])  # a documented command line, as for the shell blocks
    env_files = service.get("EnvironmentFile", [])
    assert all(f.lstrip("-") in {b.title for b in ENV_FILES} for f in env_files), env_files
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return
    # the unit's paths exist on the server, not here: point them at this install
    installed = Path(sys.executable).with_name("seguiment")
    assert installed.exists(), installed
    text = unit.text.replace("/srv/seguiment/.venv/bin/seguiment", str(installed))
    path = tmp_path / Path(unit.title or "unit.service").name
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [tool, "verify", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    problems = [line for line in result.stderr.splitlines() if path.name in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_systemd_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        unit_sections("[Service]\nExecStart /bin/true\n")
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed: the structural check above only")
    path = tmp_path / "broken.service"
    path.write_text("[Service]\nExecStart=/bin/true\n[Unit\n", encoding="utf-8")
    result = subprocess.run(
        [tool, "verify", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0


def gunicorn_variables() -> set[str]:
    tree = ast.parse((REPO_ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


@pytest.mark.parametrize("env_file", ENV_FILES, ids=lambda b: b.where)
def test_environment_file(env_file: Block) -> None:
    """Every line is NAME=value, names a setting (or a gunicorn.conf.py variable), and the
    values are valid for the settings."""
    fields = {name.upper(): name for name in Settings.model_fields}
    known = set(fields) | gunicorn_variables()
    values: dict[str, str] = {}
    for raw in env_file.text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep and NAME.match(name), f"{env_file.where}: not NAME=value: {line!r}"
        assert name in known, f"{env_file.where}: {name} is no setting"
        if name in fields:
            values[fields[name]] = value
    Settings.model_validate(values)  # raises on a value of the wrong type
    assert values.get("environment") == "production"


CRON_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
CRON_NAMES = {
    "month": ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    "day of week": ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
}
CRON_SPECIALS = {
    "@reboot",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
}


def _cron_number(text: str, field_name: str, low: int) -> int:
    names = CRON_NAMES.get(field_name, [])
    if text.lower() in names:
        return names.index(text.lower()) + (1 if field_name == "month" else 0)
    if not text.isdigit():
        raise ValueError(f"{field_name}: {text!r} is not a number")
    return int(text)


def check_cron_field(text: str, field_name: str, low: int, high: int) -> None:
    for item in text.split(","):
        base, _, step = item.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError(f"{field_name}: bad step in {item!r}")
        if base == "*":
            continue
        first, _, last = base.partition("-")
        bounds = [_cron_number(first, field_name, low)]
        if last:
            bounds.append(_cron_number(last, field_name, low))
        if any(not low <= b <= high for b in bounds) or bounds != sorted(bounds):
            raise ValueError(f"{field_name}: {item!r} outside {low}-{high}")


def check_cron_line(line: str) -> str:
    """Check a crontab line; return its command as the shell will see it."""
    words = line.split(None, 1)
    if words and words[0] in CRON_SPECIALS:
        if len(words) < 2:
            raise ValueError("no command")
        command = words[1]
    else:
        parts = line.split(None, 5)
        if len(parts) < 6:
            raise ValueError("five time fields and a command are needed")
        for text, (field_name, low, high) in zip(parts[:5], CRON_FIELDS, strict=True):
            check_cron_field(text, field_name, low, high)
        command = parts[5]
    if re.search(r"(?<!\\)%", command):
        raise ValueError("a bare % ends the command in a crontab: write \\%")
    return command.replace("\\%", "%")


CRON_BLOCKS = [b for b in ALL_BLOCKS if b.language == "cron"]


@pytest.mark.parametrize("block", CRON_BLOCKS, ids=lambda b: b.where)
def test_cron_lines(block: Block) -> None:
    lines = [
        raw.strip()
        for raw in block.text.splitlines()
        if raw.strip() and not raw.strip().startswith("#")
    ]
    assert lines
    for line in lines:
        command = check_cron_line(line)
        result = subprocess.run(
            ["sh", "-n", "-c", command], capture_output=True, text=True, timeout=30, check=False
        )
        assert result.returncode == 0, f"{block.where}: {line}\n{result.stderr}"


@pytest.mark.parametrize(
    "line",
    [
        "30 2 * * *",  # no command
        "30 2 * * pg_dump x",  # four time fields
        "61 2 * * * true",  # minute out of range
        "30 2 * 13 * true",  # month out of range
        "30 2 * * mon-xyz true",  # not a day
        "30 5-2 * * * true",  # backwards range
        "*/0 * * * * true",  # zero step
        "30 2 * * * pg_dump --file=/b/$(date +%F).dump",  # bare %
    ],
)
def test_cron_checker_refuses(line: str) -> None:
    with pytest.raises(ValueError):
        check_cron_line(line)


def nginx_statements_ok(text: str) -> None:
    """Braces balance and every directive ends with ``;`` (quotes and comments respected)."""
    depth, pending, quote = 0, "", ""
    for number, raw in enumerate(text.splitlines(), start=1):
        for char in raw:
            if quote:
                quote = "" if char == quote else quote
                pending += char
            elif char in "'\"":
                quote = char
                pending += char
            elif char == "#":
                break
            elif char == ";":
                if not pending.strip():
                    raise ValueError(f"line {number}: empty statement")
                pending = ""
            elif char == "{":
                if not pending.strip():
                    raise ValueError(f"line {number}: a block without a name")
                depth, pending = depth + 1, ""
            elif char == "}":
                if pending.strip():
                    raise ValueError(f"line {number}: {pending.strip()!r} lacks its ;")
                depth -= 1
                if depth < 0:
                    raise ValueError(f"line {number}: unmatched }}")
            else:
                pending += char
        pending += " "
    if depth or pending.strip() or quote:
        raise ValueError("unclosed block, statement or quote at the end")


NGINX_BLOCKS = [b for b in ALL_BLOCKS if b.language == "nginx"]


@pytest.mark.parametrize("block", NGINX_BLOCKS, ids=lambda b: b.where)
def test_nginx_block(block: Block, tmp_path: Path) -> None:
    nginx_statements_ok(block.text)
    # the proxy lets through what the app accepts, and waits as long as gunicorn does
    body = re.search(r"client_max_body_size\s+(\d+)([kKmM]?);", block.text)
    assert body, "client_max_body_size is missing"
    scale = {"": 1, "k": 1024, "m": 1024 * 1024}[body[2].lower()]
    assert int(body[1]) * scale >= Settings.model_fields["max_upload_bytes"].default
    timeout = re.search(r"proxy_read_timeout\s+(\d+)s?;", block.text)
    assert timeout and int(timeout[1]) >= 120  # GUNICORN_TIMEOUT's default
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if nginx is None or openssl is None:
        return  # the statement check above is all that can run here
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=seguiment.example.cat",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    text = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", block.text)
    text = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", text)
    temp = "".join(
        f"{kind}_temp_path {tmp_path / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{temp}{text}\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "server { listen 80 }",  # no ;
        "server { listen 80; ",  # unclosed
        "location / { } }",  # unmatched
        "{ listen 80; }",  # nameless block
        "return 301 'https://x;",  # open quote
    ],
)
def test_nginx_checker_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        nginx_statements_ok(text)


# --- links between the documents ----------------------------------------------------------------


def slugs(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    found: set[str] = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not line.startswith("#"):
            continue
        title = line.lstrip("#").strip().lower()
        slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


LINK = re.compile(r"\[[^\]]+\]\((?P<target>[^)\s]+)\)")


def test_links_between_documents_resolve() -> None:
    checked = 0
    for path in [*DOCUMENTS, REPO_ROOT / "CHANGELOG.md"]:
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        for match in LINK.finditer(text):
            target = match["target"]
            if re.match(r"^[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            assert linked.exists(), f"{path.name}: {target}"
            if anchor:
                assert anchor in slugs(linked), f"{path.name}: no heading for {target}"
            checked += 1
    assert checked >= 20


def test_every_document_is_linked_from_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for path in [
        *sorted((REPO_ROOT / "docs").glob("*.md")),
        REPO_ROOT / "CONTRIBUTING.md",
        REPO_ROOT / "CHANGELOG.md",
    ]:
        assert f"]({path.relative_to(REPO_ROOT)})" in readme, path.name


# --- paths named in the documents -----------------------------------------------------------------

PATH_SPAN = re.compile(r"`((?:[a-z_][\w.-]*/)+[\w.*{},-]*|[a-z_]+\.(?:py|toml|ini|yaml))`")
RUNTIME_PATHS = ("instance/", ".venv/")  # made by `make install` and the first run


def expand_braces(pattern: str) -> list[str]:
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [p for choice in match[1].split(",") for p in expand_braces(head + choice + tail)]


SOURCE_FOLDERS = (
    "plan_model",
    "indicators",
    "accounts",
    "web",
    "layouts",
    "cli",
    "i18n",
    "migrations",
    "tests",
    "data",
)


def in_tree(pattern: str) -> bool:
    """A path from the root, or a bare file name (`cells.py`, named inside its room)
    anywhere in the source folders."""
    if list(REPO_ROOT.glob(pattern)):
        return True
    return "/" not in pattern and any(
        next((REPO_ROOT / folder).rglob(pattern), None) for folder in SOURCE_FOLDERS
    )


def test_repository_paths_in_documents_exist() -> None:
    """A path of the repository named in a document (`indicators/storage/engine.py`,
    `tests/layouts/test_dashboard_*.py`, `i18n/locales/{ca,es}/...`) is there: a move that
    forgets the documents fails here."""
    checked = 0
    for path in [*DOCUMENTS, REPO_ROOT / "CHANGELOG.md"]:
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        for span in PATH_SPAN.findall(text):
            if span.startswith(RUNTIME_PATHS) or (span.endswith("/") and span.count("/") == 1):
                continue  # made at run time, or a room-relative folder (`storage/`)
            for pattern in expand_braces(span.rstrip("/")):
                assert in_tree(pattern), f"{path.name}: `{span}` is not in the tree"
                checked += 1
    assert checked >= 40
