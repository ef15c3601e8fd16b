//! `TestApp`: a fresh farmstream per test, and helpers to talk to it.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use farmstream::app::App;
use farmstream::config::Config;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "hoa ban trang Tây Bắc";

/// A running farmstream with its own database and media store.
pub struct TestApp {
    pub app: App,
    pub router: axum::Router,
    _dir: tempfile::TempDir,
}

/// A GraphQL answer.
#[derive(Debug)]
pub struct Gql {
    pub status: StatusCode,
    pub body: Value,
}

impl Gql {
    /// `data`, failing the test when the answer has errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The `extensions.code` of the first error.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code, got {}", self.body))
    }

    /// The message of the first error.
    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
    }

    /// The `extensions.field` of the first error.
    pub fn field(&self) -> &str {
        self.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_default()
    }

    /// The payload of `mutation`, failing the test when the answer has
    /// errors or the payload has `userErrors`.
    pub fn payload(&self, mutation: &str) -> &Value {
        let payload = &self.data()[mutation];
        let errors = payload["userErrors"].as_array().unwrap_or_else(|| {
            panic!(
                "{mutation} has no userErrors (were they selected?): {}",
                self.body
            )
        });
        assert!(errors.is_empty(), "unexpected userErrors: {}", self.body);
        payload
    }

    /// The first of `mutation`'s `userErrors`, failing the test when the
    /// answer has top-level errors or no user error.
    pub fn user_error(&self, mutation: &str) -> &Value {
        let error = &self.data()[mutation]["userErrors"][0];
        assert!(
            error.is_object(),
            "expected a user error in {mutation}, got {}",
            self.body
        );
        error
    }

    /// The code of the first of `mutation`'s `userErrors`.
    pub fn user_code(&self, mutation: &str) -> &str {
        self.user_error(mutation)["code"].as_str().expect("a code")
    }

    /// The field path of the first of `mutation`'s `userErrors`, joined
    /// with dots (`input.items.0.quantity`); empty when it names none.
    pub fn user_field(&self, mutation: &str) -> String {
        self.user_error(mutation)["field"]
            .as_array()
            .map(|parts| {
                parts
                    .iter()
                    .map(|p| p.as_str().expect("a path part"))
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .unwrap_or_default()
    }

    /// True when `mutation` succeeded, false when it has a user error
    /// whose code is one of `codes`; fails the test on anything else.
    pub fn ok_or_user(&self, mutation: &str, codes: &[&str]) -> bool {
        let errors = self.data()[mutation]["userErrors"]
            .as_array()
            .unwrap_or_else(|| panic!("{mutation} has no userErrors: {}", self.body));
        let Some(first) = errors.first() else {
            return true;
        };
        let code = first["code"].as_str().unwrap_or_default();
        assert!(
            codes.contains(&code),
            "expected success or one of {codes:?}, got {}",
            self.body
        );
        false
    }
}

/// The selection every mutation test asks of `userErrors`.
pub const USER_ERRORS: &str = "userErrors { code field message }";

/// A signed-in test user.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub access: String,
    pub refresh: String,
}

/// Settings for a fresh app in `dir`: random ports, and a fresh PostgreSQL
/// database when `TEST_DATABASE_URL` is set, with live events going through
/// it (`FARMSTREAM_EVENT_BUS=postgres`; each database has its own channels).
pub async fn settings_for(dir: &std::path::Path) -> HashMap<String, String> {
    let mut s = HashMap::new();
    s.insert("FARMSTREAM_DATA_DIR".into(), dir.display().to_string());
    s.insert("FARMSTREAM_LISTEN".into(), "127.0.0.1:0".into());
    s.insert("FARMSTREAM_EMBEDDED_S3_LISTEN".into(), "127.0.0.1:0".into());
    s.insert("FARMSTREAM_GRAPHQL_INTROSPECTION".into(), "true".into());
    s.insert("FARMSTREAM_DB_MAX_CONNECTIONS".into(), "5".into());
    if let Ok(base) = std::env::var("TEST_DATABASE_URL") {
        s.insert("DATABASE_URL".into(), fresh_postgres_database(&base).await);
        s.insert("FARMSTREAM_EVENT_BUS".into(), "postgres".into());
        s.insert(
            "FARMSTREAM_JWT_SECRET".into(),
            "test-secret-that-is-long-enough-000000".into(),
        );
        s.insert(
            "FARMSTREAM_BANK_WEBHOOK_SECRET".into(),
            "test-webhook-secret-long-enough-000000".into(),
        );
    }
    s
}

/// Creates a uniquely named database next to the one `base` points at.
async fn fresh_postgres_database(base: &str) -> String {
    use sea_orm::ConnectionTrait;
    let name = format!("farmstream_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(base)
        .await
        .expect("TEST_DATABASE_URL reachable");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL has a database name");
    format!("{prefix}/{name}")
}

impl TestApp {
    /// A fresh app on default test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A fresh app, with settings changed by `tweak` first.
    pub async fn spawn_with(tweak: impl FnOnce(&mut HashMap<String, String>)) -> Self {
        // Errors the server logs show up beside a failing test.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,farmstream=error".into()),
            )
            .try_init();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = settings_for(dir.path()).await;
        tweak(&mut settings);
        let config = Config::from_source(&settings).expect("valid test config");
        let app = App::start(config).await.expect("app starts");
        let router = app.router();
        Self {
            app,
            router,
            _dir: dir,
        }
    }

    /// Sends a raw HTTP request through the router.
    pub async fn request(
        &self,
        req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, headers, body)
    }

    /// A GraphQL POST as `token`'s user (or anonymously).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/graphql-response+json");
        if let Some(token) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, _, bytes) = self
            .request(req.body(Body::from(body)).expect("request"))
            .await;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
        Gql { status, body }
    }

    /// An anonymous GraphQL POST.
    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        self.gql_as(None, query, variables).await
    }

    /// Registers `email` with [`PASSWORD`] and returns the session.
    pub async fn register(&self, email: &str) -> Session {
        let res = self
            .gql(
                "mutation($i: RegisterInput!) { register(input: $i) { session { accessToken refreshToken user { id } } userErrors { code field message } } }",
                json!({ "i": { "email": email, "password": PASSWORD, "displayName": "Người thử" } }),
            )
            .await;
        session_of(res.payload("register"))
    }

    /// Logs `email` in with `password`.
    pub async fn login(&self, email: &str, password: &str) -> Gql {
        self.gql(
            "mutation($i: LoginInput!) { login(input: $i) { session { accessToken refreshToken user { id } } userErrors { code field message } } }",
            json!({ "i": { "email": email, "password": password } }),
        )
        .await
    }

    /// A platform admin, made the way `farmstream create-admin` makes one.
    pub async fn admin(&self) -> Session {
        let email =
            farmstream::values::Email::parse("admin@farmstream.test", "email").expect("email");
        let password =
            farmstream::auth::inputs::Password::parse_new(PASSWORD, "password").expect("password");
        farmstream::auth::service::create_admin(&self.app.state.db, email, password)
            .await
            .unwrap_or_else(|e| panic!("create admin: {e}"));
        let res = self.login("admin@farmstream.test", PASSWORD).await;
        session_of(res.payload("login"))
    }
}

/// The session in the payload of `register`, `login` or `refreshToken`
/// (which selected `session { accessToken refreshToken user { id } }`).
pub fn session_of(payload: &Value) -> Session {
    let payload = &payload["session"];
    Session {
        id: payload["user"]["id"].as_str().expect("user id").to_owned(),
        access: payload["accessToken"]
            .as_str()
            .expect("access token")
            .to_owned(),
        refresh: payload["refreshToken"]
            .as_str()
            .expect("refresh token")
            .to_owned(),
    }
}

/// Fixtures for the catalogue.
impl TestApp {
    /// A cooperative in Sơn La owned by `owner`; returns its id.
    pub async fn cooperative(&self, owner: &Session, name: &str) -> String {
        let res = self
            .gql_as(
                Some(&owner.access),
                "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { cooperative { id } userErrors { code field message } } }",
                json!({ "i": {
                    "name": name,
                    "address": { "province": "Sơn La", "ward": "Xã Yên Châu", "street": "Bản Phiêng Hán" },
                    "area": "Yên Châu",
                    "bankAccount": { "bin": "970415", "accountNumber": "0011001932418", "accountName": "HTX Xoai Yen Chau" }
                } }),
            )
            .await;
        res.payload("createCooperative")["cooperative"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// An active product with one variant (`price`, `stock`); returns (product id, variant id).
    pub async fn product(
        &self,
        owner: &Session,
        coop: &str,
        name: &str,
        price: i64,
        stock: i32,
    ) -> (String, String) {
        let sku = format!("SKU-{}", uuid::Uuid::new_v4().simple());
        let res = self
            .gql_as(
                Some(&owner.access),
                "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id variants { id } } userErrors { code field message } } }",
                json!({ "i": {
                    "cooperativeId": coop,
                    "name": name,
                    "category": "FRUIT",
                    "status": "ACTIVE",
                    "tags": ["đặc sản"],
                    "variants": [{ "name": "Hộp 2 kg", "sku": sku, "unit": "KG", "netQuantity": 2.0, "priceVnd": price, "stock": stock }]
                } }),
            )
            .await;
        let p = &res.payload("createProduct")["product"];
        (
            p["id"].as_str().expect("id").to_owned(),
            p["variants"][0]["id"].as_str().expect("variant").to_owned(),
        )
    }

    /// A show of `coop` (scheduled years ahead) with `products` in its
    /// lineup, started when `live`; returns its id.
    pub async fn show(&self, owner: &Session, coop: &str, products: &[&str], live: bool) -> String {
        let res = self
            .gql_as(
                Some(&owner.access),
                "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id } userErrors { code field message } } }",
                json!({ "i": { "cooperativeId": coop, "title": "Xoài chín cây — giá tại vườn", "platform": "TIKTOK", "hostName": "Lò Thị Hoa", "scheduledStartAt": "2030-12-01T12:00:00Z", "productIds": products } }),
            )
            .await;
        let show = res.payload("scheduleLivestream")["livestream"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        if live {
            self.gql_as(
                Some(&owner.access),
                "mutation($id: ID!) { startLivestream(id: $id) { livestream { status } userErrors { code field message } } }",
                json!({ "id": show }),
            )
            .await
            .payload("startLivestream");
        }
        show
    }
}

/// Fixtures for media.
impl TestApp {
    /// Uploads `bytes` as `content_type` for `purpose` through the whole flow
    /// (createUpload, presigned PUT to the embedded store, confirmUpload) and
    /// returns the ready asset's id.
    pub async fn upload(
        &self,
        owner: &Session,
        coop: &str,
        purpose: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> String {
        let res = self
            .gql_as(
                Some(&owner.access),
                "mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload { asset { id } uploadUrl requiredHeaders { name value } } userErrors { code field message } } }",
                json!({ "i": { "cooperativeId": coop, "purpose": purpose, "contentType": content_type, "byteSize": bytes.len() } }),
            )
            .await;
        let payload = res.payload("createUpload")["upload"].clone();
        let mut req = reqwest::Client::new().put(payload["uploadUrl"].as_str().expect("url"));
        for h in payload["requiredHeaders"].as_array().expect("headers") {
            let name = h["name"].as_str().expect("name");
            if !name.eq_ignore_ascii_case("content-length") {
                req = req.header(name, h["value"].as_str().expect("value"));
            }
        }
        let status = req
            .body(bytes)
            .send()
            .await
            .expect("store answers")
            .status();
        assert!(status.is_success(), "PUT to storage: {status}");
        let id = payload["asset"]["id"].as_str().expect("id").to_owned();
        let confirmed = self
            .gql_as(
                Some(&owner.access),
                "mutation($id: ID!) { confirmUpload(assetId: $id) { mediaAsset { status } userErrors { code field message } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            confirmed.payload("confirmUpload")["mediaAsset"]["status"],
            "READY"
        );
        id
    }
}

/// A small PNG photo.
pub fn png_photo(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 200) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png encodes");
    out.into_inner()
}

impl TestApp {
    /// Serves the same app on a random local port too (for WebSockets);
    /// returns its address.
    pub async fn listen(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = self.router.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        addr
    }
}

impl TestApp {
    /// The least number of SQL statements a GraphQL request costs over five
    /// runs, and its answer. A DataLoader waits a millisecond for keys, so on
    /// a busy machine a batch can split in two and add a query; the least of
    /// a few runs shows how the request is really batched, while one query
    /// per row would still show. Each run is executed: the response cache
    /// is emptied first (else an anonymous catalogue read would cost nothing
    /// after the first run).
    pub async fn least_queries(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u64, Gql) {
        let mut least = u64::MAX;
        let mut last = None;
        for _ in 0..5 {
            self.app.state.response_cache.invalidate();
            let before = self.app.state.db.query_count();
            let res = self.gql_as(token, query, variables.clone()).await;
            least = least.min(self.app.state.db.query_count() - before);
            last = Some(res);
        }
        assert!(
            least > 0,
            "the request ran no SQL at all: was it answered from a cache?"
        );
        (least, last.expect("ran at least once"))
    }
}

/// Sends every call at once as `owner` (a race test's conflicting calls);
/// the answers in the same order.
pub async fn together(app: &TestApp, owner: &Session, calls: &[(&str, Value)]) -> Vec<Gql> {
    futures_util::future::join_all(
        calls
            .iter()
            .map(|(query, vars)| app.gql_as(Some(&owner.access), query, vars.clone())),
    )
    .await
}

/// The UUID inside an id the API answered with
/// (`gid://farmstream/Product/<uuid>`).
pub fn uuid_of(id: &str) -> uuid::Uuid {
    let key = id
        .strip_prefix("gid://farmstream/")
        .and_then(|rest| rest.split_once('/'))
        .map_or(id, |(_, key)| key);
    uuid::Uuid::parse_str(key).unwrap_or_else(|_| panic!("not an id: {id}"))
}

/// The global id the API gives the `type_name` object keyed `uuid`
/// (`gid("Product", …)`), e.g. for an id that names nothing.
pub fn gid(type_name: &str, uuid: uuid::Uuid) -> String {
    format!("gid://farmstream/{type_name}/{uuid}")
}
