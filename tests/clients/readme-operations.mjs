// Keeps operations/readme in step with README.md: every operation in the
// README (```graphql blocks, and the "query" strings of its curl examples)
// must validate against schema.graphql and have a copy in
// operations/readme (the same document up to its name), which codegen and
// tsc then check like any other. Exits 1 on any mismatch.
//
//   node tests/clients/readme-operations.mjs
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kind, buildSchema, parse, print, validate } from "graphql";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "../..");
const readme = readFileSync(join(repo, "README.md"), "utf8");
const schema = buildSchema(readFileSync(join(repo, "schema.graphql"), "utf8"));

/** [line, text] of each GraphQL document the README shows. */
function readmeDocuments() {
  const documents = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```/gm;
  for (const block of readme.matchAll(fence)) {
    const line = readme.slice(0, block.index).split("\n").length + 1;
    if (block[1] === "graphql") documents.push([line, block[2]]);
    if (block[1] === "sh") {
      for (const query of block[2].matchAll(/"query":\s*"((?:[^"\\]|\\.)*)"/g)) {
        documents.push([line + block[2].slice(0, query.index).split("\n").length - 1, JSON.parse(`"${query[1]}"`)]);
      }
    }
  }
  return documents;
}

/** An operation's text without its name, comments or layout. */
const unnamed = (operation) => print({ ...operation, name: undefined });

const copies = new Set();
const dir = join(here, "operations/readme");
for (const file of readdirSync(dir).filter((f) => f.endsWith(".graphql"))) {
  for (const definition of parse(readFileSync(join(dir, file), "utf8")).definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) copies.add(unnamed(definition));
  }
}

let operations = 0;
const problems = [];
for (const [line, text] of readmeDocuments()) {
  let document;
  try {
    document = parse(text);
  } catch (error) {
    problems.push(`README.md:${line}: does not parse: ${error.message}`);
    continue;
  }
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  for (const operation of document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)) {
    operations += 1;
    const at = `README.md:${line + operation.loc.startToken.line - 1}`;
    for (const error of validate(schema, { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] })) {
      problems.push(`${at}: ${error.message}`);
    }
    if (!copies.has(unnamed(operation))) {
      problems.push(`${at}: no copy in tests/clients/operations/readme: ${unnamed(operation).replace(/\s+/g, " ").slice(0, 100)}…`);
    }
  }
}

for (const problem of problems) console.log(problem);
console.log(`README.md: ${operations} operations, ${problems.length} problem(s)`);
process.exit(problems.length > 0 ? 1 : 0);
