// The schema checks of issue 15 that no lint plugin has, on graphql-js's
// own schema model:
//   mutation-payload         every Mutation field returns `<Field>Payload`
//                            (one payload type per mutation) carrying
//                            `userErrors: [UserError!]!`;
//   list-without-connection  a list of objects that can grow is a
//                            connection (`…Connection`), unless
//                            bounded-lists.txt names its bound (a
//                            payload's userErrors is bounded by its input);
//   enum-like-string         a String field or argument that holds one of
//                            a closed set of values: named status, state
//                            or kind (or ending so), or described by two or
//                            more `UPPER_CASE` values.
// Exported for lint-schema.mjs; run alone with `node schema-shape.mjs
// <schema.graphql>` it prints the findings and exits 1 if there are any.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Source,
  buildSchema,
  getLocation,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
} from "graphql";

const here = dirname(fileURLToPath(import.meta.url));

/** Fields listed in bounded-lists.txt, as `Type.field` strings. */
export function boundedLists(path = join(here, "bounded-lists.txt")) {
  return new Set(
    readFileSync(path, "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => line.split(/\s+/)[0]),
  );
}

const upper = (name) => name.charAt(0).toUpperCase() + name.slice(1);
const ENUM_LIKE_NAME = /(^|[a-z])(status|state|kind)$/i;
const UPPER_VALUE = /`[A-Z][A-Z0-9]*(_[A-Z0-9]+)*`/g;

/** Findings `{ rule, line, column, message }` for the schema text at `path`. */
export function checkSchemaShape(path, bounded = boundedLists()) {
  const source = new Source(readFileSync(path, "utf8"), path);
  const schema = buildSchema(source);
  const findings = [];
  const report = (rule, node, message) => {
    const { line, column } = node?.loc ? getLocation(source, node.loc.start) : { line: 0, column: 0 };
    findings.push({ rule, line, column, message });
  };

  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const want = `${upper(field.name)}Payload`;
    const returned = getNamedType(field.type);
    if (returned.name !== want) {
      report("mutation-payload", field.astNode, `Mutation.${field.name} returns ${field.type}, not a ${want}`);
      continue;
    }
    const userErrors = isObjectType(returned) ? returned.getFields().userErrors : undefined;
    if (!userErrors || String(userErrors.type) !== "[UserError!]!") {
      report("mutation-payload", returned.astNode, `${want} has no userErrors: [UserError!]! field`);
    }
  }

  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    const objectLike = isObjectType(type) || isInterfaceType(type);
    if (!objectLike && !isInputObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (
        objectLike &&
        type !== mutation &&
        !type.name.endsWith("Connection") &&
        !(field.name === "userErrors" && String(field.type) === "[UserError!]!") &&
        isListType(getNullableType(field.type)) &&
        isCompositeType(getNamedType(field.type)) &&
        !bounded.has(coordinate)
      ) {
        report(
          "list-without-connection",
          field.astNode,
          `${coordinate} is a plain list of ${getNamedType(field.type).name}: make it a connection, or name its bound in lint/bounded-lists.txt`,
        );
      }
      const inputs = [[coordinate, field], ...(field.args ?? []).map((arg) => [`${coordinate}(${arg.name}:)`, arg])];
      for (const [where, value] of inputs) {
        if (getNamedType(value.type).name !== "String") continue;
        const listed = new Set((value.description ?? "").match(UPPER_VALUE) ?? []);
        if (ENUM_LIKE_NAME.test(value.name) || listed.size >= 2) {
          const why = listed.size >= 2 ? `its description lists ${[...listed].join(", ")}` : `its name says it is one of a set`;
          report("enum-like-string", value.astNode, `${where} is a String but ${why}: make it an enum`);
        }
      }
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? "schema.graphql";
  const findings = checkSchemaShape(path);
  for (const f of findings) console.log(`${path}:${f.line}:${f.column}  ${f.rule}  ${f.message}`);
  process.exit(findings.length > 0 ? 1 : 0);
}
