// The schema lint of issue 15: graphql-eslint's schema rules
// (eslint.config.mjs) and the checks of schema-shape.mjs, on one schema
// file. Prints every finding as `file:line:column  rule  message`, then the
// count per rule; exits 1 if there is any.
//
//   node tests/clients/lint/lint-schema.mjs [schema.graphql]
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { checkSchemaShape } from "./schema-shape.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "../../..");
const path = resolve(process.argv[2] ?? resolve(repo, "schema.graphql"));
const shown = relative(process.cwd(), path) || path;

// eslint.config.mjs reads the schema from here; ESLint lints only files
// under its cwd.
process.env.FARMSTREAM_LINT_SCHEMA = path;
const eslint = new ESLint({ cwd: dirname(path), overrideConfigFile: resolve(here, "../eslint.config.mjs") });
const findings = [];
for (const result of await eslint.lintFiles([path])) {
  for (const m of result.messages) {
    findings.push({ rule: m.ruleId ?? "eslint", line: m.line, column: m.column, message: m.message });
  }
}
findings.push(...checkSchemaShape(path));
findings.sort((a, b) => a.line - b.line || a.column - b.column);

for (const f of findings) console.log(`${shown}:${f.line}:${f.column}  ${f.rule}  ${f.message}`);

const rules = [
  "@graphql-eslint/require-description",
  "@graphql-eslint/relay-connection-types",
  "@graphql-eslint/relay-edge-types",
  "@graphql-eslint/relay-page-info",
  "@graphql-eslint/relay-arguments",
  "mutation-payload",
  "list-without-connection",
  "enum-like-string",
];
const counts = new Map(rules.map((rule) => [rule, 0]));
for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
console.log(`\nschema lint of ${shown}: ${findings.length} finding(s)`);
for (const [rule, count] of counts) console.log(`  ${String(count).padStart(5)}  ${rule}`);
process.exit(findings.length > 0 ? 1 : 0);
