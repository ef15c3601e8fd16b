"""Schemathesis hooks for fuzzing farmstream's GraphQL API (scripts/fuzz.sh).

Loaded through SCHEMATHESIS_HOOKS. They do three things:

* give every custom scalar of schema.graphql (DateTime, NaiveDate) and the
  built-in ID, Int and String a strategy that mixes well-formed values with
  the malformed and extreme ones a hostile client sends;
* send about half of the generated operations with their arguments hoisted
  into variables, because async-graphql coerces a variable by another road
  than an inline literal (a fault class of issue 12, item 7);
* fail a case on an HTTP 5xx, on an error whose `extensions.code` is
  `INTERNAL`, and on an error without any code: farmstream's rule is that bad
  input gets a typed answer, never an internal error.

Ids the fuzz script found in the seed data come in through
FARMSTREAM_FUZZ_IDS (a JSON object: kind → ids); about half the arguments
and input fields named after a kind (`productId`, `courseId`, an `id` of
`updateProduct`…) get one of that kind, so that generated operations reach
past "not found" into the code behind it.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import zlib

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

SCHEMA_PATH = pathlib.Path(
    os.environ.get("FARMSTREAM_FUZZ_SCHEMA", pathlib.Path(__file__).resolve().parents[2] / "schema.graphql")
)
IDS_BY_KIND: dict[str, list[str]] = json.loads(os.environ.get("FARMSTREAM_FUZZ_IDS", "{}"))
KNOWN_IDS = sorted({id_ for kind, ids in IDS_BY_KIND.items() if kind != "lotCode" for id_ in ids})

# ---------------------------------------------------------------------------
# Strategies for scalars
# ---------------------------------------------------------------------------

# Text a hostile client tries: markup, SQL and LIKE metacharacters, control
# characters, right-to-left marks, Vietnamese with and without tone marks.
NASTY_TEXT = [
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\t\r\n",
    "\u202e",
    "%",
    "_",
    "\\",
    "'",
    '"',
    "' OR 1=1 --",
    "</title><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "=HYPERLINK(\"http://x\")",
    "Xoài Yên Châu",
    "Đặc sản Mộc Châu",
    "𝕏🥭",
    "null",
]

long_text = st.builds(lambda unit, n: unit * n, st.sampled_from(["a", "đ", "%", "ạ ", "\u0000"]), st.integers(200, 60_000))
text = st.one_of(st.text(), st.sampled_from(NASTY_TEXT), long_text)

# Offsets from -26:00 to +26:00 in quarter hours: a few are out of range on purpose.
offsets = st.integers(-26 * 4, 26 * 4).map(
    lambda q: "Z" if q == 0 else f"{'+' if q > 0 else '-'}{abs(q) // 4:02d}:{abs(q) % 4 * 15:02d}"
)
datetimes = st.one_of(
    st.builds(
        lambda dt, off: dt.strftime("%Y-%m-%dT%H:%M:%S") + off,
        st.datetimes(),
        offsets,
    ),
    st.builds(lambda dt: dt.isoformat(timespec="milliseconds") + "Z", st.datetimes()),
    st.sampled_from(
        [
            "+262143-01-01T00:00:00Z",
            "-262143-01-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-02-30T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-06-01T24:00:00Z",
            "2026-06-01T10:00:60Z",
            "2026-06-01T10:00:00+25:00",
            "2026-06-01T10:00:00",
            "2026-06-01",
            "yesterday",
            "",
        ]
    ),
    text,
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "+275760-09-13",
            "-0001-01-01",
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "2026-06-01T00:00:00Z",
            "20260601",
            "tomorrow",
            "",
        ]
    ),
    text,
)
ids = st.one_of(
    *([st.sampled_from(KNOWN_IDS)] * 3 if KNOWN_IDS else []),
    st.uuids().map(str),
    # Global ids of every kind, most of them naming nothing.
    st.tuples(
        st.sampled_from(["Product", "Cooperative", "Order", "Livestream", "Course", "MediaAsset", "User", "Nope"]),
        st.uuids(),
    ).map(lambda kind_uuid: f"gid://farmstream/{kind_uuid[0]}/{kind_uuid[1]}"),
    st.sampled_from(["00000000-0000-0000-0000-000000000000", "1", "-1", "' OR 1=1 --", ""]),
    text,
)
ints = st.one_of(
    st.integers(-(2**31), 2**31 - 1),
    st.sampled_from([0, 1, -1, 99, 100, 101, 1_000_000, 2**31 - 1, -(2**31)]),
)

schemathesis.graphql.scalar("DateTime", st.one_of(datetimes.map(nodes.String), ints.map(nodes.Int)))
schemathesis.graphql.scalar("NaiveDate", st.one_of(dates.map(nodes.String), ints.map(nodes.Int)))
schemathesis.graphql.scalar("ID", st.one_of(ids.map(nodes.String), ints.map(nodes.Int)))
schemathesis.graphql.scalar("Int", ints.map(nodes.Int))
schemathesis.graphql.scalar("String", text.map(nodes.String))

# ---------------------------------------------------------------------------
# Arguments as variables
# ---------------------------------------------------------------------------

SCHEMA = graphql.build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


# Words in a root field's name that say what its `id` argument is, most
# specific first ("updateTrainingSession" is a session, not a course).
ID_WORDS = [
    ("flashdeal", "flashDeal"),
    ("certification", "certification"),
    ("session", "session"),
    ("variant", "variant"),
    ("livestream", "livestream"),
    ("lot", "lot"),
    ("course", "course"),
    ("cooperative", "cooperative"),
    ("product", "product"),
    ("member", "user"),
    ("role", "user"),
]
ID_FIELDS = {
    "cooperativeid": "cooperative",
    "productid": "product",
    "productids": "product",
    "variantid": "variant",
    "lotid": "lot",
    "livestreamid": "livestream",
    "courseid": "course",
    "sessionid": "session",
    "trainingsessionid": "session",
    "userid": "user",
    "dealid": "flashDeal",
    "flashdealid": "flashDeal",
    "certificationid": "certification",
}


def _kind(name: str, root_field: str) -> str | None:
    if name == "id":
        lowered = root_field.lower()
        return next((kind for word, kind in ID_WORDS if word in lowered), None)
    if name == "code" and root_field == "lot":
        return "lotCode"
    return ID_FIELDS.get(name.lower())


def _seed_ids(document: graphql.DocumentNode, rng: random.Random) -> graphql.DocumentNode:
    """About half the id arguments and fields get an id of the right kind."""
    operation = next((d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)), None)
    if operation is None or not operation.selection_set.selections:
        return document
    root = operation.selection_set.selections[0]
    root_field = root.name.value if isinstance(root, graphql.FieldNode) else ""

    def replacement(name: str, value: graphql.ValueNode) -> graphql.ValueNode | None:
        kind = _kind(name, root_field)
        ids = IDS_BY_KIND.get(kind or "")
        if not ids or isinstance(value, graphql.VariableNode) or rng.random() < 0.5:
            return None
        if isinstance(value, graphql.ListValueNode):
            picked = rng.sample(ids, min(len(ids), rng.randint(1, 3)))
            return graphql.ListValueNode(values=tuple(graphql.StringValueNode(value=i) for i in picked))
        return graphql.StringValueNode(value=rng.choice(ids))

    class Seed(graphql.Visitor):
        def leave_argument(self, node, *_args):
            new = replacement(node.name.value, node.value)
            return None if new is None else graphql.ArgumentNode(name=node.name, value=new)

        def leave_object_field(self, node, *_args):
            new = replacement(node.name.value, node.value)
            return None if new is None else graphql.ObjectFieldNode(name=node.name, value=new)

    return graphql.visit(document, Seed())


def _hoist_arguments(document: graphql.DocumentNode) -> tuple[str, dict] | None:
    """The same operation with every argument value passed as a variable."""
    type_info = graphql.TypeInfo(SCHEMA)
    declared: list[graphql.VariableDefinitionNode] = []
    values: dict[str, object] = {}

    class Hoist(graphql.Visitor):
        def leave_argument(self, node: graphql.ArgumentNode, *_args):
            argument = type_info.get_argument()
            if argument is None or isinstance(node.value, graphql.VariableNode):
                return None
            name = f"v{len(declared)}"
            declared.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
                    type=graphql.parse_type(str(argument.type)),
                )
            )
            values[name] = graphql.value_from_ast_untyped(node.value)
            return graphql.ArgumentNode(
                name=node.name, value=graphql.VariableNode(name=graphql.NameNode(value=name))
            )

    hoisted = graphql.visit(document, graphql.TypeInfoVisitor(type_info, Hoist()))
    if not declared:
        return None
    operations = [d for d in hoisted.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if len(operations) != 1:
        return None
    operation = operations[0]
    rebuilt = graphql.OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(operation.variable_definitions or ()) + tuple(declared),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    document = graphql.DocumentNode(
        definitions=tuple(rebuilt if d is operation else d for d in hoisted.definitions)
    )
    return graphql.print_ast(document), values


@schemathesis.hook
def before_call(context, case, kwargs):
    # `kwargs` are extra arguments for the HTTP client: a `json` there
    # replaces the body schemathesis would send ({"query": case.body}).
    query = case.body
    if not isinstance(query, str) or "json" in kwargs or "data" in kwargs:
        return
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError:
        return  # a malformed document is sent as it is
    # Seeded by the text, not by a random draw, so a seeded run repeats itself.
    rng = random.Random(zlib.crc32(query.encode("utf-8", "surrogatepass")))
    document = _seed_ids(document, rng)
    hoisted = _hoist_arguments(document) if rng.random() < 0.5 else None
    if hoisted is not None:
        kwargs["json"] = {"query": hoisted[0], "variables": hoisted[1]}
    else:
        kwargs["json"] = {"query": graphql.print_ast(document)}


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


FAILURES = os.environ.get("FARMSTREAM_FUZZ_FAILURES")


def _fail(case, response, message: str, error: object = None):
    """Records the failure for tests/fuzz/summary.py, then fails the case.

    Schemathesis reports one failure per operation and check; the record
    keeps every one, so that a run shows each distinct fault.
    """
    if FAILURES:
        record = {
            "role": os.environ.get("FARMSTREAM_FUZZ_ROLE", ""),
            "operation": case.operation.label,
            "status": response.status_code,
            "error": error,
            "request": _sent(response),
        }
        with open(FAILURES, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    raise AssertionError(message)


def _sent(response) -> str:
    request = getattr(response, "request", None)
    body = getattr(request, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    body = str(body)
    return body if len(body) <= 2_000 else body[:2_000] + f"… ({len(body)} characters)"


@schemathesis.check
def farmstream_no_server_error(ctx, response, case):
    """An HTTP 5xx is a fault whatever the input."""
    if response.status_code >= 500:
        _fail(
            case,
            response,
            f"HTTP {response.status_code} for\n{_sent(response)}\nanswer: {response.text[:1_000]}",
            response.text[:1_000],
        )


@schemathesis.check
def farmstream_no_internal_error(ctx, response, case):
    """Every GraphQL error carries a code, and it is never INTERNAL."""
    if response.status_code >= 500:
        return  # farmstream_no_server_error's
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        _fail(case, response, f"not a JSON object (HTTP {response.status_code}) for\n{_sent(response)}", response.text[:1_000])
        return
    for error in payload.get("errors") or []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if code is None or code == "INTERNAL":
            _fail(
                case,
                response,
                f"error code {code!r}: {json.dumps(error, ensure_ascii=False)[:1_000]}\nfor\n{_sent(response)}",
                error,
            )
