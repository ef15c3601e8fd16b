//! One gate every input value passes before any resolver runs, inline in the
//! document or sent as a variable.
//!
//! async-graphql checks an inline literal against its scalar when it
//! validates the document, but coerces variables only when a resolver reads
//! its arguments, and then reports a failure (an `Int` above 2³¹ − 1, the
//! date 2026-02-30, the offset +25:00) as an error without a code. This
//! guard walks the arguments of the selected operation with the schema's
//! types, variables substituted, and refuses a bad value as `BAD_USER_INPUT`
//! naming the argument path (and the variable it came from), so that a bad
//! scalar is never `INTERNAL`, whichever way it was sent.
//!
//! It checks what holds for every input of its type:
//! - `Int`: a whole number of 32 bits (GraphQL's `Int`), or of 64 bits for
//!   amounts of money (`…Vnd`) and byte sizes, which the API reads as 64-bit;
//! - `Float`: a finite number;
//! - `DateTime`: RFC 3339 with an offset of less than a day, in the years
//!   [`crate::values::MIN_YEAR`]–[`crate::values::MAX_YEAR`] (2000–2100);
//!   `NaiveDate`: a real day written `YYYY-MM-DD`, in the same years;
//! - `String` and `ID`: no control characters but tab, line feed and
//!   carriage return (a NUL byte is refused by PostgreSQL), and at most
//!   [`MAX_TEXT_CHARS`] characters ([`MAX_ID_CHARS`] for an `ID`), unless
//!   [`LONG_TEXT`] allows the field more.
//!
//! Each field's own rules (a name's length, a single line, a date not in
//! the future) stay with the parsers of its domain.

use std::collections::HashSet;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    ErrorExtensionValues, Name, Pos, Request, ServerError, ServerResult, Value, Variables,
};

/// The longest text a `String` input may carry, in characters, unless
/// [`LONG_TEXT`] names it; names, addresses, notes and tokens are shorter.
pub const MAX_TEXT_CHARS: usize = 1_000;
/// The longest `ID`: ours are UUIDs (36 characters).
pub const MAX_ID_CHARS: usize = 100;

/// Inputs allowed more than [`MAX_TEXT_CHARS`]: (input type or field, field
/// or argument, most characters). Their parsers keep the same bounds; a file
/// (`importParticipants(csv:)`) is bounded by the request body limit and its
/// row limit instead.
pub const LONG_TEXT: &[(&str, &str, usize)] = &[
    ("CreateProductInput", "description", 20_000),
    ("UpdateProductInput", "description", 20_000),
    ("OriginStoryInput", "story", 20_000),
    ("OriginStoryInput", "cultivationPractice", 2_000),
    ("CreateCooperativeInput", "description", 5_000),
    ("UpdateCooperativeInput", "description", 5_000),
    ("CreateCourseInput", "description", 5_000),
    ("UpdateCourseInput", "description", 5_000),
    ("ScheduleLivestreamInput", "description", 5_000),
    ("UpdateLivestreamInput", "description", 5_000),
    ("CreateLotInput", "notes", 2_000),
    ("importParticipants", "csv", usize::MAX),
];

/// The most characters the input `field` of `owner` (an input type, or the
/// field whose argument it is) may carry.
fn text_limit(owner: &str, field: &str) -> usize {
    LONG_TEXT
        .iter()
        .find(|(o, f, _)| *o == owner && *f == field)
        .map_or(MAX_TEXT_CHARS, |(_, _, max)| *max)
}

/// Refuses out-of-range scalars and unsafe text before execution.
pub struct InputGuard;

impl ExtensionFactory for InputGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(InputGuardExt::default())
    }
}

#[derive(Default)]
struct InputGuardExt {
    /// The operation the request names, seen before the document is parsed.
    operation_name: Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl Extension for InputGuardExt {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut name) = self.operation_name.lock() {
            name.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let name = self.operation_name.lock().ok().and_then(|n| n.clone());
        match check_document(&ctx.schema_env.registry, &doc, name.as_deref(), variables) {
            Ok(()) => Ok(doc),
            Err(refusal) => Err(refusal.into_server_error()),
        }
    }
}

/// A refused input value: where it is and what is wrong with it.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    /// The argument path, e.g. `input.variants.0.stock`.
    pub field: String,
    /// The variable the value came from, if it came from one.
    pub variable: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
    pos: Pos,
}

impl Refusal {
    fn into_server_error(self) -> ServerError {
        let message = match &self.variable {
            Some(var) => format!("{} (variable ${var}): {}", self.field, self.message),
            None => format!("{}: {}", self.field, self.message),
        };
        let mut err = ServerError::new(message, Some(self.pos));
        let ext = err
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        ext.set("code", "BAD_USER_INPUT");
        ext.set("field", self.field);
        if let Some(var) = self.variable {
            ext.set("variable", var);
        }
        err
    }
}

/// Checks every argument of the operation that will run.
pub fn check_document(
    registry: &Registry,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<(), Refusal> {
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        // No operation is chosen: validation refuses the document.
        (DocumentOperations::Multiple(_), None) => None,
    };
    let Some(op) = op else { return Ok(()) };
    let root = match op.node.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let Some(root) = root else { return Ok(()) };
    let walker = Walker {
        registry,
        doc,
        op: &op.node,
        variables,
    };
    walker.selection_set(root, &op.node.selection_set.node, &mut HashSet::new())
}

struct Walker<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    op: &'a OperationDefinition,
    variables: &'a Variables,
}

impl<'a> Walker<'a> {
    fn selection_set(
        &self,
        parent: &str,
        set: &'a SelectionSet,
        fragments_seen: &mut HashSet<&'a str>,
    ) -> Result<(), Refusal> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let Some(meta) = self
                        .registry
                        .types
                        .get(parent)
                        .and_then(|t| t.field_by_name(&field.node.name.node))
                    else {
                        // Unknown fields and introspection: validation's business.
                        continue;
                    };
                    for (name, value) in &field.node.arguments {
                        let Some(arg) = meta.args.get(name.node.as_str()) else {
                            continue;
                        };
                        let max_text =
                            text_limit(field.node.name.node.as_str(), name.node.as_str());
                        // Undefined variables are refused by validation; here they are null.
                        let Ok(resolved) = value.node.clone().into_const_with(|var| {
                            Ok::<_, Infallible>(self.variable(&var).unwrap_or(Value::Null))
                        });
                        let mut check = Check {
                            registry: self.registry,
                            path: name.node.to_string(),
                            segments: Vec::new(),
                            max_text,
                            wide_int: is_wide_int(name.node.as_str()),
                        };
                        if let Err(message) = check.value(&arg.ty, &resolved) {
                            // The same value with each variable left as a
                            // marker `$name` (an enum value cannot start with `$`).
                            let Ok(shape) = value.node.clone().into_const_with(|var| {
                                Ok::<_, Infallible>(Value::Enum(Name::new(format!("${var}"))))
                            });
                            return Err(Refusal {
                                variable: variable_at(&shape, &check.segments),
                                field: check.path,
                                message,
                                pos: value.pos,
                            });
                        }
                    }
                    let child = MetaTypeName::concrete_typename(&meta.ty);
                    self.selection_set(child, &field.node.selection_set.node, fragments_seen)?;
                }
                Selection::InlineFragment(frag) => {
                    let on = frag
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |c| c.node.on.node.as_str());
                    self.selection_set(on, &frag.node.selection_set.node, fragments_seen)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some((key, def)) = self.doc.fragments.get_key_value(name) else {
                        continue;
                    };
                    // Each fragment is walked once (a cycle is validation's to refuse).
                    if !fragments_seen.insert(key.as_str()) {
                        continue;
                    }
                    let on = def.node.type_condition.node.on.node.as_str();
                    self.selection_set(on, &def.node.selection_set.node, fragments_seen)?;
                }
            }
        }
        Ok(())
    }

    /// The value of a variable as the resolver will see it.
    fn variable(&self, name: &str) -> Option<Value> {
        let def = self
            .op
            .variable_definitions
            .iter()
            .find(|d| d.node.name.node == name)?;
        self.variables
            .get(&def.node.name.node)
            .or_else(|| def.node.default_value())
            .cloned()
    }
}

/// A step into a value: an input field or a list item.
enum Segment {
    Key(String),
    Index(usize),
}

/// The variable that supplied the value at `segments` of `shape`, if any.
fn variable_at(shape: &Value, segments: &[Segment]) -> Option<String> {
    let marker = |v: &Value| match v {
        Value::Enum(n) => n.as_str().strip_prefix('$').map(str::to_owned),
        _ => None,
    };
    let mut node = shape;
    for segment in segments {
        if let Some(var) = marker(node) {
            return Some(var);
        }
        node = match (segment, node) {
            (Segment::Key(k), Value::Object(map)) => {
                map.iter().find(|(n, _)| n.as_str() == k).map(|(_, v)| v)?
            }
            (Segment::Index(i), Value::List(items)) => items.get(*i)?,
            // A single value given where a list is expected.
            (Segment::Index(_), other) => other,
            _ => return None,
        };
    }
    marker(node)
}

/// Checks one value against its type, keeping the path to what it visits.
struct Check<'a> {
    registry: &'a Registry,
    path: String,
    segments: Vec<Segment>,
    max_text: usize,
    /// True while checking an input whose `Int` is 64-bit.
    wide_int: bool,
}

impl Check<'_> {
    fn value(&mut self, ty: &str, value: &Value) -> Result<(), String> {
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => self.value(inner, value),
            MetaTypeName::List(inner) => match value {
                Value::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let len = self.path.len();
                        let _ = write!(self.path, ".{i}");
                        self.segments.push(Segment::Index(i));
                        self.value(inner, item)?;
                        self.segments.pop();
                        self.path.truncate(len);
                    }
                    Ok(())
                }
                other => self.value(inner, other),
            },
            MetaTypeName::Named(name) => self.named(name, value),
        }
    }

    fn named(&mut self, name: &str, value: &Value) -> Result<(), String> {
        if matches!(value, Value::Null) {
            return Ok(());
        }
        match name {
            "Int" => int(value, self.wide_int),
            "Float" => float(value),
            "String" => match value {
                Value::String(s) => text(s, self.max_text),
                _ => Err("must be a string".into()),
            },
            "ID" => match value {
                Value::String(s) => text(s, MAX_ID_CHARS),
                Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
                _ => Err("must be an ID".into()),
            },
            "DateTime" => match value {
                Value::String(s) => crate::values::date_time(s).map(drop),
                _ => Err("must be a date and time such as 2026-05-01T19:30:00+07:00".into()),
            },
            "NaiveDate" => match value {
                Value::String(s) => crate::values::date(s).map(drop),
                _ => Err("must be a date such as 2026-05-01".into()),
            },
            _ => self.composite(name, value),
        }
    }

    fn composite(&mut self, name: &str, value: &Value) -> Result<(), String> {
        match (self.registry.types.get(name), value) {
            (Some(MetaType::InputObject { input_fields, .. }), Value::Object(fields)) => {
                for (key, item) in fields {
                    let Some(meta) = input_fields.get(key.as_str()) else {
                        continue;
                    };
                    let len = self.path.len();
                    let _ = write!(self.path, ".{key}");
                    self.segments.push(Segment::Key(key.to_string()));
                    let outer = std::mem::replace(&mut self.max_text, text_limit(name, key));
                    let outer_wide = std::mem::replace(&mut self.wide_int, is_wide_int(key));
                    self.value(&meta.ty, item)?;
                    self.max_text = outer;
                    self.wide_int = outer_wide;
                    self.segments.pop();
                    self.path.truncate(len);
                }
                Ok(())
            }
            (Some(MetaType::Enum { enum_values, .. }), Value::Enum(v)) => {
                known_enum(enum_values.contains_key(v.as_str()))
            }
            (Some(MetaType::Enum { enum_values, .. }), Value::String(v)) => {
                known_enum(enum_values.contains_key(v.as_str()))
            }
            (Some(MetaType::Enum { .. }), _) => {
                Err("must be one of the enumeration's values".into())
            }
            // Booleans and other scalars: validation checks their form.
            _ => Ok(()),
        }
    }
}

fn known_enum(known: bool) -> Result<(), String> {
    if known {
        Ok(())
    } else {
        Err("is not one of the enumeration's values".into())
    }
}

/// True for the inputs whose `Int` the API reads as 64-bit: amounts of
/// money in đồng (`priceVnd`, `flatFeeVnd`, …) and byte sizes.
fn is_wide_int(name: &str) -> bool {
    name.ends_with("Vnd") || name == "byteSize"
}

fn int(value: &Value, wide: bool) -> Result<(), String> {
    let n = match value {
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    match n {
        Some(_) if wide => Ok(()),
        Some(n) if i32::try_from(n).is_ok() => Ok(()),
        _ if wide => Err(format!(
            "must be a whole number from {} to {}",
            i64::MIN,
            i64::MAX
        )),
        _ => Err(format!(
            "must be a whole number from {} to {}",
            i32::MIN,
            i32::MAX
        )),
    }
}

fn float(value: &Value) -> Result<(), String> {
    match value {
        Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => Ok(()),
        _ => Err("must be a finite number".into()),
    }
}

/// Text any input may carry: no control characters but tab, line feed and
/// carriage return, and at most `max` characters.
pub fn text(s: &str, max: usize) -> Result<(), String> {
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err("contains a NUL byte or another control character".into());
    }
    if max != usize::MAX && s.chars().nth(max).is_some() {
        return Err(format!("is longer than {max} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_behind_a_value_is_found() {
        let doc = async_graphql::parser::parse_query(
            "query($a: Int, $b: String) { f(x: { y: [1, $a], z: $b, w: 2 }) }",
        )
        .expect("parses");
        let DocumentOperations::Single(op) = &doc.operations else {
            panic!("one operation");
        };
        let Selection::Field(field) = &op.node.selection_set.node.items[0].node else {
            panic!("a field");
        };
        let Ok(shape) = field.node.arguments[0]
            .1
            .node
            .clone()
            .into_const_with(|var| Ok::<_, Infallible>(Value::Enum(Name::new(format!("${var}")))));
        let at = |segments: Vec<Segment>| variable_at(&shape, &segments);
        let key = |k: &str| Segment::Key(k.to_owned());
        assert_eq!(at(vec![key("y"), Segment::Index(1)]).as_deref(), Some("a"));
        assert_eq!(at(vec![key("y"), Segment::Index(0)]), None);
        assert_eq!(at(vec![key("z")]).as_deref(), Some("b"));
        assert_eq!(at(vec![key("w")]), None);
    }

    #[test]
    fn text_refuses_control_characters_and_length() {
        assert!(text("Xoài\ttròn\r\nYên Châu", 100).is_ok());
        assert!(text("a\0b", 100).is_err());
        assert!(text("a\u{1b}b", 100).is_err());
        assert!(text(&"x".repeat(101), 100).is_err());
        assert!(text(&"x".repeat(100), 100).is_ok());
    }
}
