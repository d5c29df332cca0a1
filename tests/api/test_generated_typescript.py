"""The contract as a TypeScript app consumes it: types generated from the served OpenAPI document with
openapi-typescript, without a warning, under which the real answers of the main flows type-check with tsc --strict,
each typed by its own operation, status code and media type."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.api.flows import Answer, main_flow_answers
from tests.api.test_records import scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import nurses  # noqa: F401 (fixture used by scene)

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "node_modules" / ".bin"  # `npm ci` (make's install step) puts the pinned openapi-typescript and tsc here
# What openapi-typescript prints for a problem: its warn() writes " ⚠  <message>" and its error() " ✘  <message>", both
# to stderr (the Redocly lint of the document, unresolved $refs, bad discriminators); Node's own warnings go to stderr
# too. A clean run prints only two lines, to stdout: "✨ openapi-typescript <version>", "🚀 <input> → <output> [<time>]".
PROBLEM_MARKS = ("⚠", "✘")
CLEAN_LINES = ("✨ openapi-typescript ", "🚀 ")
NODE_ENV = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}  # plain text: no ANSI colour codes in what is checked
TSCONFIG = {"compilerOptions": {
    "strict": True, "noEmit": True, "target": "es2022", "lib": ["es2022"], "module": "esnext",
    "moduleResolution": "bundler", "types": [], "skipLibCheck": False, "pretty": False}, "files": ["answers.ts"]}


@pytest.fixture
def typescript_types(api, tmp_path) -> Path:
    """The types generated from what GET /v1/openapi.json serves, as `api.d.ts` in tmp_path."""
    assert (BIN / "openapi-typescript").exists() and (BIN / "tsc").exists(), "run `npm ci` first (make's install step)"
    document = tmp_path / "openapi.json"
    document.write_bytes(api.http.get("/v1/openapi.json").body)
    # Run in tmp_path: the CLI would otherwise pick up a redocly.yaml from the working directory; here it lints with
    # Redocly's "minimal" rules, as any consumer without a config of its own does.
    generated = subprocess.run([str(BIN / "openapi-typescript"), str(document), "-o", str(tmp_path / "api.d.ts")],
                               cwd=tmp_path, capture_output=True, text=True, timeout=120, env=NODE_ENV, check=False)
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert generated.stderr == "" and not any(mark in output for mark in PROBLEM_MARKS), output
    assert all(line.startswith(CLEAN_LINES) for line in generated.stdout.splitlines()), output
    return tmp_path / "api.d.ts"


def _media_type(answer: Answer) -> str:
    return answer.response.headers["Content-Type"].split(";")[0].strip()


def _typed(answer: Answer) -> str:
    """The TypeScript type of the operation's declared answer for the status and media type actually served."""
    return (f'paths[{json.dumps(answer.path)}]["{answer.method}"]["responses"][{answer.response.status_code}]'
            f'["content"][{json.dumps(_media_type(answer))}]')


def _schema(document: dict, answer: Answer) -> dict:
    operation = document["paths"][answer.path][answer.method]
    schema = operation["responses"][str(answer.response.status_code)]["content"][_media_type(answer)]["schema"]
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _source(answers: list[Answer], document: dict) -> tuple[str, list[tuple[int, str]]]:
    """answers.ts, and the line each constant starts at. Each answer is an object literal declared with its operation's
    type, so tsc refuses a field the schema lacks (excess property check), a missing required field or a wrong type.
    Each also has a control with one field more, which tsc must refuse (`@ts-expect-error`): the proof that the type is
    closed, not `any`, `unknown` or an index signature; except where the schema itself is open (additionalProperties),
    whose control drops a required field instead."""
    source, starts = 'import type { paths } from "./api";\n', []

    def declare(label: str, text: str) -> None:
        nonlocal source
        source += "\n"
        starts.append((source.count("\n") + 1, label))
        source += text + "\n"

    for answer in answers:
        body = json.loads(answer.response.body)
        declare(answer.name, f"const {answer.name}: {_typed(answer)} = {json.dumps(body, indent=2)};")
        schema = _schema(document, answer)
        if schema.get("additionalProperties", False) not in (False, None):
            control = {key: value for key, value in body.items() if key != schema["required"][0]}
            why = f"without its required `{schema['required'][0]}`"
        else:
            control = {**body, "not_in_the_contract": True}
            why = "with a field the contract lacks"
        declare(f"{answer.name}Control, {why}: tsc must refuse it",
                f"// @ts-expect-error {why}\nconst {answer.name}Control: {_typed(answer)} = {json.dumps(control)};")
    return source, starts


def _located(output: str, starts: list[tuple[int, str]]) -> str:
    """tsc's output with each error's constant named."""
    def name(match: re.Match) -> str:
        line = int(match.group(1))
        return match.group(0) + " [" + [label for start, label in starts if start <= line][-1] + "]"

    return re.sub(r"^answers\.ts\((\d+),\d+\)", name, output, flags=re.MULTILINE)


def test_generated_typescript_types_the_answers_of_the_main_flows(api, aws, clock, scene,  # noqa: F811
                                                                   typescript_types):
    answers = main_flow_answers(api, aws, clock, scene, 'generated-typescript')
    folder = typescript_types.parent
    source, starts = _source(answers, json.loads((folder / "openapi.json").read_text()))
    (folder / "answers.ts").write_text(source)
    (folder / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    checked = subprocess.run([str(BIN / "tsc"), "-p", str(folder / "tsconfig.json")], cwd=folder,
                             capture_output=True, text=True, timeout=120, env=NODE_ENV, check=False)
    output = _located(checked.stdout + checked.stderr, starts)
    assert checked.returncode == 0, f"{output}\n(in {folder / 'answers.ts'})"
