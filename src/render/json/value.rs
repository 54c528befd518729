//! A small JSON value with insertion-ordered objects, serialized the way
//! jansson's `json_dumpf(…, 0)` writes (`", "` and `": "` separators).

use std::fmt::Write;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true`/`false`
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object (keys in insertion order).
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// An object from pairs.
    pub fn obj(pairs: Vec<(&str, Json)>) -> Json {
        Json::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    /// `{key: value}`.
    pub fn one(key: &str, v: Json) -> Json {
        Json::Obj(vec![(key.to_string(), v)])
    }
    /// A string value.
    pub fn s(v: impl Into<String>) -> Json {
        Json::Str(v.into())
    }
    /// An integer value.
    pub fn i(v: impl Into<i128>) -> Json {
        Json::Int(v.into())
    }
    /// Set (or replace) a key of an object.
    pub fn set(&mut self, key: &str, v: Json) {
        if let Json::Obj(p) = self {
            if let Some(x) = p.iter_mut().find(|(k, _)| k == key) {
                x.1 = v;
            } else {
                p.push((key.to_string(), v));
            }
        }
    }
    /// Keys of `other` missing in `self` are added (`json_object_update_missing`).
    pub fn update_missing(&mut self, other: Json) {
        if let (Json::Obj(p), Json::Obj(o)) = (self, other) {
            for (k, v) in o {
                if !p.iter().any(|(x, _)| *x == k) {
                    p.push((k, v));
                }
            }
        }
    }
    /// An array with one element collapses to the element (nft's habit).
    pub fn collapse(mut v: Vec<Json>) -> Option<Json> {
        match v.len() {
            0 => None,
            1 => v.pop(),
            _ => Some(Json::Arr(v)),
        }
    }

    /// Serialize.
    pub fn write(&self, o: &mut String) {
        match self {
            Json::Null => o.push_str("null"),
            Json::Bool(b) => o.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(o, "{i}");
            }
            Json::Str(s) => write_str(o, s),
            Json::Arr(a) => {
                o.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        o.push_str(", ");
                    }
                    v.write(o);
                }
                o.push(']');
            }
            Json::Obj(p) => {
                o.push('{');
                for (i, (k, v)) in p.iter().enumerate() {
                    if i > 0 {
                        o.push_str(", ");
                    }
                    write_str(o, k);
                    o.push_str(": ");
                    v.write(o);
                }
                o.push('}');
            }
        }
    }
}

fn write_str(o: &mut String, s: &str) {
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
}
