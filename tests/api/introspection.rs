//! Introspection: the standard queries of graphql-js and GraphiQL load the
//! schema when introspection is on, while deep data queries are still
//! refused; when it is off, error messages do not spell the schema out.

use serde_json::json;

use crate::helpers::TestApp;

/// graphql-js 16's `getIntrospectionQuery()`, exactly as it prints it.
const GRAPHQL_JS: &str = include_str!("../fixtures/introspection/graphql-js-16-default.graphql");
/// The same with every option GraphiQL turns on (`descriptions`,
/// `specifiedByUrl`, `directiveIsRepeatable`, `schemaDescription`,
/// `inputValueDeprecation`, `oneOf`).
const GRAPHIQL: &str = include_str!("../fixtures/introspection/graphql-js-16-graphiql.graphql");

/// A data query nested exactly `levels` deep (at least 2):
/// `products(first: 1) { edges { node { cooperative { products … } } } } }`.
fn deep_data_query(levels: usize) -> String {
    let path = ["products(first: 1)", "edges", "node", "cooperative"];
    let leaf = |field: &str| match field {
        "products(first: 1)" => "totalCount",
        "edges" => "cursor",
        _ => "id",
    };
    let fields: Vec<&str> = path.iter().cycle().take(levels - 1).copied().collect();
    let mut q = leaf(fields[fields.len() - 1]).to_owned();
    for field in fields.iter().rev() {
        q = format!("{field} {{ {q} }}");
    }
    format!("{{ {q} }}")
}

#[tokio::test]
async fn the_standard_introspection_queries_load_the_whole_schema() {
    let app = TestApp::spawn().await;
    for (name, query) in [("graphql-js", GRAPHQL_JS), ("GraphiQL", GRAPHIQL)] {
        let res = app.gql(query, json!({})).await;
        let schema = &res.data()["__schema"];
        assert_eq!(schema["queryType"]["name"], "Query", "{name}");
        let types = schema["types"].as_array().expect("types");
        assert!(
            types.iter().any(|t| t["name"] == "Product"),
            "{name}: {} types",
            types.len()
        );
    }
}

#[tokio::test]
async fn a_deep_data_query_is_still_refused_while_introspection_passes() {
    let app = TestApp::spawn().await;
    // Introspection's own depth (15) is above the data limit (12)…
    let res = app.gql(GRAPHQL_JS, json!({})).await;
    assert!(res.body.get("errors").is_none(), "{}", res.body);
    // …but data nested 13 levels is not let through, alone or beside it.
    let deep = deep_data_query(13);
    let res = app.gql(&deep, json!({})).await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED", "{}", res.body);
    assert!(
        res.message().contains("nested too deep"),
        "{}",
        res.message()
    );
    let both = format!(
        "{{ __schema {{ queryType {{ name }} }} {} }}",
        &deep[1..deep.len() - 1]
    );
    assert_eq!(
        app.gql(&both, json!({})).await.code(),
        "GRAPHQL_VALIDATION_FAILED"
    );
    // And 12 levels are fine.
    let res = app.gql(&deep_data_query(12), json!({})).await;
    assert!(res.body.get("errors").is_none(), "{}", res.body);
}

#[tokio::test]
async fn introspection_is_not_counted_against_a_small_complexity_limit() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_GRAPHQL_MAX_COMPLEXITY".into(), "20".into());
        s.insert("FARMSTREAM_GRAPHQL_MAX_DEPTH".into(), "5".into());
    })
    .await;
    let res = app.gql(GRAPHIQL, json!({})).await;
    assert!(res.body.get("errors").is_none(), "{}", res.body);
    // Data beside it is still measured.
    // Three times seven fields: 21.
    let wide: String = (0..3)
        .map(|i| format!("a{i}: me {{ id email displayName phone createdAt roles }} "))
        .collect();
    let res = app
        .gql(
            &format!("{{ {wide} __schema {{ queryType {{ name }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED", "{}", res.body);
    assert!(res.message().contains("complex"), "{}", res.message());
}

/// `__type { ofType { … } }` nested `n` times.
fn of_type_chain(n: usize) -> String {
    let mut q = String::from("name");
    for _ in 0..n {
        q = format!("ofType {{ {q} }}");
    }
    format!("{{ __type(name: \"Product\") {{ {q} }} }}")
}

#[tokio::test]
async fn introspection_nested_beyond_what_graphql_js_needs_is_refused() {
    let app = TestApp::spawn().await;
    // graphql-js nests nine ofType below a field's type; 18 still pass.
    let res = app.gql(&of_type_chain(18), json!({})).await;
    assert!(res.body.get("errors").is_none(), "{}", res.body);
    let res = app.gql(&of_type_chain(19), json!({})).await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED", "{}", res.body);
    assert!(res.message().contains("introspection"), "{}", res.message());
    let res = app.gql(&of_type_chain(30), json!({})).await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED", "{}", res.body);

    // Lists inside lists multiply the answer: four levels are refused.
    let fan_out =
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let res = app.gql(fan_out, json!({})).await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED", "{}", res.body);
    assert!(res.message().contains("lists"), "{}", res.message());
    // Through fragments too.
    let spread = "{ __schema { types { ...T } } } fragment T on __Type { fields { type { fields { type { fields { name } } } } } }";
    let res = app.gql(spread, json!({})).await;
    assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED", "{}", res.body);
}

#[tokio::test]
async fn no_field_suggestions_when_introspection_is_off() {
    let off = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_GRAPHQL_INTROSPECTION".into(), "false".into());
    })
    .await;
    let on = TestApp::spawn().await;
    let at_the_root = "{ produc { id } }";
    let below = "{ products { edgs { cursor } } }";
    for query in [at_the_root, below] {
        let res = off.gql(query, json!({})).await;
        assert_eq!(res.code(), "GRAPHQL_VALIDATION_FAILED", "{}", res.body);
        assert!(
            !res.body.to_string().contains("Did you mean"),
            "suggestions leak the schema: {}",
            res.body
        );
        // With introspection on, the schema is public anyway, and the hint helps.
        let res = on.gql(query, json!({})).await;
        assert!(res.message().contains("Did you mean"), "{}", res.body);
    }
    // And introspection itself answers nothing when off.
    let res = off.gql(GRAPHQL_JS, json!({})).await;
    assert_eq!(
        res.body["data"]["__schema"],
        serde_json::Value::Null,
        "{}",
        res.body
    );
}
