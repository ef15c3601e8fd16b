// The smallest typed GraphQL client: what a storefront's fetch wrapper
// looks like. The document's generated type fixes both the variables a call
// must pass (required inputs cannot be left out) and the shape it returns.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

/** One error of a GraphQL response, with the server's machine-readable code. */
export interface GraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; retryAfter?: number };
}

/** A GraphQL response: data, errors, or both. */
export interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: GraphQLError[];
}

/** Thrown when the answer has errors or no data. */
export class GraphQLRequestError extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("; "));
  }
}

/** Variables are an argument only when the operation declares some. */
type VariablesArg<TVariables> = keyof TVariables extends never ? [] : [variables: TVariables];

/** A client bound to an endpoint and, optionally, an access token. */
export function createClient(endpoint: string, accessToken?: string) {
  return async function request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    ...[variables]: VariablesArg<TVariables>
  ): Promise<TData> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
    };
    if (accessToken !== undefined) headers["authorization"] = `Bearer ${accessToken}`;
    const response = await fetch(endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
    });
    const body = (await response.json()) as GraphQLResponse<TData>;
    if (body.errors !== undefined && body.errors.length > 0) throw new GraphQLRequestError(body.errors);
    if (body.data === undefined || body.data === null) throw new GraphQLRequestError([{ message: "no data" }]);
    return body.data;
  };
}

/** The request function `createClient` returns. */
export type Request = ReturnType<typeof createClient>;

/** One business error of a mutation, as every payload's `userErrors` has it. */
export interface UserError {
  code: string;
  field?: ReadonlyArray<string> | null;
  message: string;
}

/** Thrown when a mutation's payload answers with user errors. */
export class UserErrorsError extends Error {
  constructor(readonly userErrors: ReadonlyArray<UserError>) {
    super(userErrors.map((e) => `${e.code}${e.field ? ` (${e.field.join(".")})` : ""}: ${e.message}`).join("; "));
  }
}

/** A mutation's result field `key`, or its user errors thrown. */
export function resultOf<P extends { userErrors: ReadonlyArray<UserError> }, K extends Exclude<keyof P, "userErrors">>(
  payload: P,
  key: K,
): NonNullable<P[K]> {
  if (payload.userErrors.length > 0) throw new UserErrorsError(payload.userErrors);
  const value = payload[key];
  if (value === undefined || value === null) throw new UserErrorsError([{ code: "NO_RESULT", message: `no ${String(key)}` }]);
  return value as NonNullable<P[K]>;
}
