// graphql-codegen: types every operation under operations/ against the
// repository's schema.graphql, the way a frontend team would (client preset:
// typed document nodes, one type per operation result and its variables).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["operations/**/*.graphql"],
  // An empty operations folder is a mistake, not a pass; an invalid
  // operation fails the run (and so CI) and nothing is written.
  ignoreNoDocuments: false,
  generates: {
    "generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Every custom scalar must be mapped: a new one fails codegen
        // until a client type is chosen for it.
        strictScalars: true,
        scalars: {
          DateTime: "string",
          NaiveDate: "string",
        },
        enumsAsTypes: true,
        useTypeImports: true,
        dedupeFragments: true,
      },
    },
  },
};

export default config;
