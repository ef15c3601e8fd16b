//! Where settings come from, and how a section declared as a serde struct is
//! read from there.
//!
//! A section is a `#[derive(Deserialize)]` struct whose fields are renamed
//! after their settings (`FARMSTREAM_…`) and whose `Default` holds the
//! defaults. [`read`] asks the source for exactly those names, parses each
//! raw value by its field's type, and names the setting in any error.

use std::collections::HashMap;
use std::fmt::Display;
use std::net::SocketAddr;
use std::time::Duration;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::ConfigError;

/// A source of settings: the process environment, or a map in tests.
pub trait Source {
    /// The raw value of `name`, if set and not empty.
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct Env;

impl Source for Env {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name)
            .cloned()
            .filter(|v| !v.trim().is_empty())
    }
}

/// Reads the section `T` from `src`: each field takes the value of the
/// setting it is renamed after, or its default when that is unset.
pub(super) fn read<T: DeserializeOwned>(src: &dyn Source) -> Result<T, ConfigError> {
    T::deserialize(Section(src))
}

/// The error serde reports while parsing one value; [`Settings`] names the
/// setting it came from.
impl de::Error for ConfigError {
    fn custom<T: Display>(message: T) -> Self {
        Self::new("", message.to_string())
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let quoted: Vec<String> = expected.iter().map(|v| format!("`{v}`")).collect();
        let choices = match quoted.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => "any choice".into(),
        };
        Self::custom(format!("`{variant}` is not {choices}"))
    }
}

/// A section: a struct whose field names are settings.
struct Section<'a>(&'a dyn Source);

impl<'de> Deserializer<'de> for Section<'_> {
    type Error = ConfigError;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ConfigError> {
        visitor.visit_map(Settings {
            src: self.0,
            names: fields.iter(),
            current: None,
        })
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, ConfigError> {
        Err(de::Error::custom(
            "a section of settings is read into a struct",
        ))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// The settings of a section that are set, one after the other.
struct Settings<'a> {
    src: &'a dyn Source,
    names: std::slice::Iter<'static, &'static str>,
    /// The setting whose name was handed out last, and its raw value.
    current: Option<(&'static str, String)>,
}

impl<'de> MapAccess<'de> for Settings<'_> {
    type Error = ConfigError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ConfigError> {
        for &name in self.names.by_ref() {
            if let Some(raw) = self.src.get(name) {
                self.current = Some((name, raw));
                return seed.deserialize(name.into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ConfigError> {
        let Some((name, raw)) = self.current.take() else {
            return Err(de::Error::custom("a value was asked for before its name"));
        };
        seed.deserialize(Raw(&raw))
            .map_err(|e| ConfigError::new(name, e.message))
    }
}

/// The raw text of one setting, parsed as the field's type asks.
struct Raw<'a>(&'a str);

impl Raw<'_> {
    fn number<T: std::str::FromStr>(&self) -> Result<T, ConfigError> {
        self.0.trim().parse().map_err(|_| {
            de::Error::custom(format!("`{}` is not a whole non-negative number", self.0))
        })
    }
}

impl<'de> Deserializer<'de> for Raw<'_> {
    type Error = ConfigError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConfigError> {
        visitor.visit_str(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConfigError> {
        match self.0.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => visitor.visit_bool(true),
            "0" | "false" | "no" | "off" => visitor.visit_bool(false),
            other => Err(de::Error::custom(format!("`{other}` is not true or false"))),
        }
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConfigError> {
        visitor.visit_u32(self.number()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConfigError> {
        visitor.visit_u64(self.number()?)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConfigError> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ConfigError> {
        visitor.visit_enum(self.0.trim().into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

// Parsers for `#[serde(deserialize_with = "…")]`: units and lower bounds
// shared by many settings.

/// Whole seconds, at least one.
pub(super) fn secs<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    match u64::deserialize(d)? {
        0 => Err(de::Error::custom("must be at least 1 second")),
        secs => Ok(Duration::from_secs(secs)),
    }
}

/// Whole milliseconds.
pub(super) fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

/// A size in bytes, at least one.
pub(super) fn bytes<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match u64::deserialize(d)? {
        0 => Err(de::Error::custom("must be at least 1 byte")),
        bytes => Ok(bytes),
    }
}

/// An address like `127.0.0.1:8080`.
pub(super) fn addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let raw = String::deserialize(d)?;
    raw.parse()
        .map_err(|_| de::Error::custom(format!("`{raw}` is not an address like 127.0.0.1:8080")))
}

/// An `http://` or `https://` URL, without its trailing slash.
pub(super) fn http_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let url = String::deserialize(d)?;
    if !is_http_url(&url) {
        return Err(de::Error::custom("expected an http:// or https:// URL"));
    }
    Ok(Some(url.trim_end_matches('/').to_owned()))
}

/// True for an `http://` or `https://` URL.
pub(super) fn is_http_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// The number of cores, or `fallback` when it cannot be told.
pub(super) fn cores(fallback: usize) -> usize {
    std::thread::available_parallelism().map_or(fallback, std::num::NonZeroUsize::get)
}
