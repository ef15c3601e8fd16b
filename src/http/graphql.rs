//! `/graphql` over HTTP, following the GraphQL-over-HTTP specification:
//! JSON requests by POST, queries (never mutations) by GET, and responses as
//! `application/json` or `application/graphql-response+json` as the `Accept`
//! header asks. A browser asking for HTML gets GraphiQL.
//!
//! Request errors (malformed JSON or parameters, unparsable or invalid
//! documents) carry no `data`; with `application/graphql-response+json` they
//! get status 400, with `application/json` status 200 once the document was
//! read (as the spec asks for legacy clients).

use std::collections::HashMap;
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{ErrorExtensionValues, Variables};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::auth::Viewer;
use crate::auth::throttle::ClientAddr;
use crate::graph::codes;
use crate::graph::operation::{OperationFacts, OperationName};
use crate::http::AppState;
use crate::http::response_cache::Key;
use crate::schema;

/// The media type a response is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    GraphqlResponse,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json; charset=utf-8",
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }
}

/// Picks the response format from `Accept`; `None` when nothing we can
/// write is acceptable. A missing header means `application/json`.
pub fn negotiate(headers: &HeaderMap) -> Option<Format> {
    let Some(accept) = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Some(Format::Json);
    };
    let mut best: Option<(f32, Format)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let media = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
            })
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let format = match media.as_str() {
            "application/graphql-response+json" => Format::GraphqlResponse,
            "application/json" | "application/*" | "*/*" => Format::Json,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((bq, bf)) => {
                q > bq || (q == bq && bf == Format::Json && format == Format::GraphqlResponse)
            }
        };
        if better {
            best = Some((q, format));
        }
    }
    best.map(|(_, f)| f)
}

fn reply(format: Format, status: StatusCode, body: &Value) -> Response {
    reply_bytes(format, status, body.to_string().into_bytes())
}

fn reply_bytes(format: Format, status: StatusCode, body: impl Into<Bytes>) -> Response {
    let mut res = (status, axum::body::Body::from(body.into())).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    res
}

/// A request error found before execution (HTTP-level: bad JSON, bad parameters).
fn bad_request(format: Format, status: StatusCode, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] });
    reply(format, status, &body)
}

fn not_acceptable() -> Response {
    bad_request(
        Format::Json,
        StatusCode::NOT_ACCEPTABLE,
        "the Accept header allows neither application/graphql-response+json nor application/json",
    )
}

/// The parameters of one GraphQL request, from a JSON body or a query string.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Map<String, Value>>,
    extensions: Option<Map<String, Value>>,
}

fn params_from_json(body: Value) -> Result<Params, &'static str> {
    let mut map = match body {
        Value::Object(map) => map,
        Value::Array(_) => {
            return Err("batched requests are not supported: send one operation per request");
        }
        _ => return Err("the request body must be a JSON object"),
    };
    let query = match map.remove("query") {
        Some(Value::String(q)) => q,
        None | Some(Value::Null) => return Err("the request has no `query`"),
        Some(_) => return Err("`query` must be a string"),
    };
    let operation_name = match map.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err("`operationName` must be a string or null"),
    };
    let variables = match map.remove("variables") {
        None | Some(Value::Null) => None,
        Some(Value::Object(vars)) => Some(vars),
        Some(_) => return Err("`variables` must be an object or null"),
    };
    let extensions = match map.remove("extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(ext)) => Some(ext),
        Some(_) => return Err("`extensions` must be an object or null"),
    };
    Ok(Params {
        query,
        operation_name,
        variables,
        extensions,
    })
}

fn params_from_query_string(mut qs: HashMap<String, String>) -> Result<Params, &'static str> {
    let query = qs
        .remove("query")
        .ok_or("the request has no `query` parameter")?;
    let object = |raw: Option<String>,
                  err: &'static str|
     -> Result<Option<Map<String, Value>>, &'static str> {
        match raw
            .filter(|r| !r.is_empty())
            .map(|r| serde_json::from_str::<Value>(&r))
        {
            None | Some(Ok(Value::Null)) => Ok(None),
            Some(Ok(Value::Object(map))) => Ok(Some(map)),
            Some(_) => Err(err),
        }
    };
    Ok(Params {
        query,
        operation_name: qs.remove("operationName").filter(|n| !n.is_empty()),
        variables: object(qs.remove("variables"), "`variables` must be a JSON object")?,
        extensions: object(
            qs.remove("extensions"),
            "`extensions` must be a JSON object",
        )?,
    })
}

fn is_json_content_type(headers: &HeaderMap) -> Result<(), &'static str> {
    let Some(raw) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Err("send the request body as application/json (Content-Type is missing)");
    };
    let mime: mime::Mime = raw
        .parse()
        .map_err(|_| "the Content-Type header is malformed")?;
    if mime.essence_str() != "application/json" {
        return Err("send the request body as application/json");
    }
    match mime.get_param(mime::CHARSET) {
        None => Ok(()),
        Some(cs) if cs == mime::UTF_8 => Ok(()),
        Some(_) => Err("the request body must be UTF-8"),
    }
}

/// The TCP peer of a request; `None` when the router is called in process.
pub struct Peer(Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(peer_of(&parts.extensions)))
    }
}

fn peer_of(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The client a request counts as for throttles (see [`ClientAddr`]).
fn client_of(state: &AppState, peer: Option<std::net::IpAddr>, headers: &HeaderMap) -> ClientAddr {
    ClientAddr::from_request(
        peer,
        headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()),
        state.config.auth.trusted_proxy_hops,
    )
}

/// `POST /graphql`.
pub async fn post(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(format) = negotiate(&headers) else {
        return not_acceptable();
    };
    if let Err(msg) = is_json_content_type(&headers) {
        return bad_request(format, StatusCode::UNSUPPORTED_MEDIA_TYPE, msg);
    }
    let json: Value = match serde_json::from_slice(&body) {
        Ok(json) => json,
        Err(err) => {
            return bad_request(
                format,
                StatusCode::BAD_REQUEST,
                &format!("the request body is not valid JSON: {err}"),
            );
        }
    };
    let client = client_of(&state, peer, &headers);
    match params_from_json(json) {
        Ok(params) => execute(&state, &headers, client, params, format, "POST").await,
        Err(msg) => bad_request(format, StatusCode::BAD_REQUEST, msg),
    }
}

/// `GET /graphql`: a WebSocket for subscriptions, GraphiQL for a browser,
/// or a query from the query string.
pub async fn get(State(state): State<AppState>, req: axum::extract::Request) -> Response {
    if super::subscriptions::is_upgrade(req.headers()) {
        return super::subscriptions::upgrade(state, req).await;
    }
    let (mut parts, _) = req.into_parts();
    let qs = match Query::<HashMap<String, String>>::from_request_parts(&mut parts, &state).await {
        Ok(Query(qs)) => qs,
        Err(rejection) => return rejection.into_response(),
    };
    let client = client_of(&state, peer_of(&parts.extensions), &parts.headers);
    get_query(&state, &parts.headers, client, qs).await
}

async fn get_query(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
    qs: HashMap<String, String>,
) -> Response {
    if !qs.contains_key("query") && accepts_html(headers) {
        return Html(
            async_graphql::http::GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql")
                .title("farmstream GraphiQL")
                .finish(),
        )
        .into_response();
    }
    let Some(format) = negotiate(headers) else {
        return not_acceptable();
    };
    let params = match params_from_query_string(qs) {
        Ok(params) => params,
        Err(msg) => return bad_request(format, StatusCode::BAD_REQUEST, msg),
    };
    match async_graphql::parser::parse_query(&params.query) {
        Err(err) => {
            let status = match format {
                Format::Json => StatusCode::OK,
                Format::GraphqlResponse => StatusCode::BAD_REQUEST,
            };
            let body = json!({ "errors": [{ "message": err.to_string(), "extensions": { "code": codes::PARSE_FAILED } }] });
            return reply(format, status, &body);
        }
        Ok(doc) => {
            if selected_operation_type(&doc.operations, params.operation_name.as_deref())
                .is_some_and(|ty| ty != OperationType::Query)
            {
                let mut res = bad_request(
                    format,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "only queries can be sent with GET; send mutations with POST",
                );
                res.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                return res;
            }
        }
    }
    execute(state, headers, client, params, format, "GET").await
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

fn selected_operation_type(ops: &DocumentOperations, name: Option<&str>) -> Option<OperationType> {
    crate::graph::operation::selected_operation(ops, name).map(|op| op.node.ty)
}

/// Runs one GraphQL request: answered from the response cache when it can
/// be, otherwise executed, its errors classified, and the response written
/// (and cached when the schema says its answer is public).
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
    params: Params,
    format: Format,
    method: &str,
) -> Response {
    let started = Instant::now();
    let cache = &state.response_cache;
    let cache_key = cache_key(state, headers, &params);
    if let Some((body, operation)) = cache_key.as_ref().and_then(|key| cache.get(key)) {
        state.metrics.observe_request(
            operation.as_deref(),
            method,
            started.elapsed().as_secs_f64(),
            &[],
        );
        return reply_bytes(format, StatusCode::OK, body);
    }
    let generation = cache.generation();
    let query = params.query.clone();
    let operation_name = params.operation_name.clone();
    let mut ran = run(state, headers, client, params).await;
    if ran.facts.is_mutation(operation_name.as_deref()) {
        cache.invalidate();
    }
    let request_error = is_request_error(&ran.response);
    let error_codes = classify(&mut ran.response.errors, request_error, &query);
    let codes_ref: Vec<&str> = error_codes.iter().map(String::as_str).collect();
    state.metrics.observe_request(
        ran.operation.get().or(operation_name.as_deref()),
        method,
        started.elapsed().as_secs_f64(),
        &codes_ref,
    );
    let cache_as = cache_key
        .zip(public_max_age(&ran, operation_name.as_deref()))
        .map(|(key, max_age)| (key, generation, max_age));
    write_response(state, format, &ran, request_error, cache_as)
}

/// The response cache's key for a request it may answer: no extensions, no
/// `Authorization` (whose answers may depend on the viewer). Any such
/// request may be looked up: only public answers are ever stored.
fn cache_key(state: &AppState, headers: &HeaderMap, params: &Params) -> Option<Key> {
    (state.response_cache.enabled()
        && params.extensions.is_none()
        && !headers.contains_key(header::AUTHORIZATION))
    .then(|| {
        Key::new(
            &params.query,
            params.operation_name.as_deref(),
            params.variables.as_ref(),
        )
    })
}

/// How long the answer of `ran` may be kept for every anonymous caller:
/// `None` unless the operation was a query without errors and the schema's
/// cache control, merged over everything it touched, says public with a
/// max-age above zero (`max_age` 0 is "unset" and -1 "no-cache" in
/// async-graphql, and one private field makes the whole answer private).
fn public_max_age(ran: &Ran, operation_name: Option<&str>) -> Option<std::time::Duration> {
    let control = ran.response.cache_control;
    let max_age = u64::try_from(control.max_age).ok().filter(|&s| s > 0)?;
    (control.public && ran.response.errors.is_empty() && ran.facts.is_query(operation_name))
        .then(|| std::time::Duration::from_secs(max_age))
}

/// A request as executed: the response and what was learnt of the operation.
struct Ran {
    response: async_graphql::Response,
    operation: OperationName,
    facts: OperationFacts,
}

/// Executes `params` for the viewer its `Authorization` names.
async fn run(state: &AppState, headers: &HeaderMap, client: ClientAddr, params: Params) -> Ran {
    let viewer = Viewer::from_authorization(
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
        &state.keys,
    );
    let mut request = async_graphql::Request::new(params.query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = params.variables {
        request = request.variables(Variables::from_json(Value::Object(vars)));
    }
    if let Some(ext) = params.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                request.extensions.insert(k, v);
            }
        }
    }
    let operation = OperationName::default();
    let facts = OperationFacts::default();
    let mut request = schema::per_request(request, &state.db, viewer, operation.clone());
    request.data.insert(facts.clone());
    request.data.insert(client);
    let response = state.schema.execute(request).await;
    Ran {
        response,
        operation,
        facts,
    }
}

/// True when nothing ran: the document could not be parsed or validated,
/// or the input guard refused a value (errors without a path, no data).
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// Gives every error an `extensions.code` and returns the codes, by where
/// each error comes from, never by its words:
/// - an error with a code keeps it (every error our resolvers raise, and
///   the input guard's refusals, which also name the `field`);
/// - a request error without one was raised before execution by
///   async-graphql's parser (`GRAPHQL_PARSE_FAILED`) or validation
///   (`GRAPHQL_VALIDATION_FAILED`);
/// - an execution error without one can only be async-graphql failing to
///   coerce an argument as a resolver read it (`BAD_USER_INPUT`, naming the
///   field at its path): the input guard refuses such values first, so this
///   is the net behind it, and never `INTERNAL`.
fn classify(
    errors: &mut [async_graphql::ServerError],
    request_error: bool,
    query: &str,
) -> Vec<String> {
    let request_code = || {
        if async_graphql::parser::parse_query(query).is_err() {
            codes::PARSE_FAILED
        } else {
            codes::VALIDATION_FAILED
        }
    };
    let mut error_codes = Vec::with_capacity(errors.len());
    for err in errors {
        if let Some(async_graphql::Value::String(code)) =
            err.extensions.as_ref().and_then(|e| e.get("code"))
        {
            error_codes.push(code.clone());
            continue;
        }
        let field = match err.path.last() {
            Some(async_graphql::PathSegment::Field(field)) => Some(field.clone()),
            _ => None,
        };
        let ext = err
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        let code = if request_error {
            request_code()
        } else {
            tracing::warn!(message = %err.message, "an argument failed to coerce past the input guard");
            if let Some(field) = field {
                ext.set("field", field);
            }
            "BAD_USER_INPUT"
        };
        ext.set("code", code);
        error_codes.push(code.to_owned());
    }
    error_codes
}

/// Writes the response, and keeps it in the cache under `cache_as` (the
/// key, the cache's generation when the request started and the answer's
/// max-age).
fn write_response(
    state: &AppState,
    format: Format,
    ran: &Ran,
    request_error: bool,
    cache_as: Option<(Key, u64, std::time::Duration)>,
) -> Response {
    // Written straight to bytes: going through serde_json::Value first cost
    // a fifth of a catalogue page's CPU (profiled with callgrind).
    let body = ResponseBody {
        data: (!request_error).then_some(&ran.response.data),
        errors: &ran.response.errors,
        extensions: &ran.response.extensions,
    };
    let bytes = match serde_json::to_vec(&body) {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "a GraphQL response could not be serialised");
            return bad_request(format, StatusCode::INTERNAL_SERVER_ERROR, "internal error");
        }
    };
    let status = match (request_error, format) {
        (true, Format::GraphqlResponse) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    if let Some((key, generation, max_age)) = cache_as {
        let bytes = Bytes::from(bytes);
        state
            .response_cache
            .put(key, bytes.clone(), ran.operation.get(), generation, max_age);
        return reply_bytes(format, status, bytes);
    }
    reply_bytes(format, status, bytes)
}

/// A GraphQL response as written on the wire; request errors carry no `data`.
#[derive(serde::Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT,
            HeaderValue::from_str(v).expect("valid header"),
        );
        h
    }

    #[test]
    fn accept_chooses_the_response_format() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Format::Json));
        assert_eq!(negotiate(&accept("*/*")), Some(Format::Json));
        assert_eq!(negotiate(&accept("application/json")), Some(Format::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(Format::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(Format::Json)
        );
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(negotiate(&accept("application/json;q=0")), None);
    }
}
