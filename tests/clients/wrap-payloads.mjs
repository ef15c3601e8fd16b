// One-off migration helper kept for the record of issue 15: rewrites the
// mutations of GraphQL documents to select their payloads. A top-level
// mutation field whose selection is not valid on its payload type gets its
// selection wrapped in the payload's one result field, and `userErrors`
// is added. Used on README.md (```graphql blocks) and .graphql files.
//
//   node tests/clients/wrap-payloads.mjs FILE...
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kind, buildSchema, getNamedType, parse } from "graphql";

const here = fileURLToPath(new URL(".", import.meta.url));
const schema = buildSchema(readFileSync(join(here, "../../schema.graphql"), "utf8"));
const mutation = schema.getMutationType().getFields();
const USER_ERRORS = "userErrors { code field message }";

/** `text` with every mutation field's selection moved into its payload. */
function rewrite(text) {
  let document;
  try {
    document = parse(text);
  } catch {
    return text;
  }
  const edits = [];
  for (const op of document.definitions) {
    if (op.kind !== Kind.OPERATION_DEFINITION || op.operation !== "mutation") continue;
    for (const field of op.selectionSet.selections) {
      if (field.kind !== Kind.FIELD || !field.selectionSet) continue;
      const def = mutation[field.name.value];
      if (!def) continue;
      const payload = getNamedType(def.type);
      if (!payload.name.endsWith("Payload")) continue;
      const fields = payload.getFields();
      const selected = field.selectionSet.selections.map((s) => s.name?.value);
      if (selected.includes("userErrors")) continue;
      const { start, end } = field.selectionSet.loc;
      const inner = text.slice(start, end);
      if (selected.every((name) => name && name in fields)) {
        edits.push([end - 1, end - 1, ` ${USER_ERRORS} `]);
        continue;
      }
      const results = Object.keys(fields).filter((f) => f !== "userErrors");
      if (results.length !== 1) {
        console.error(`${field.name.value}: cannot tell which of ${results} to wrap`);
        continue;
      }
      edits.push([start, end, `{ ${results[0]} ${inner} ${USER_ERRORS} }`]);
    }
  }
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) {
    text = text.slice(0, start) + replacement + text.slice(end);
  }
  return text;
}

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const out = file.endsWith(".md")
    ? text.replace(/^```graphql\n([\s\S]*?)^```/gm, (_, body) => "```graphql\n" + rewrite(body) + "```")
    : rewrite(text);
  if (out !== text) {
    writeFileSync(file, out);
    console.log(`rewrote ${file}`);
  }
}
