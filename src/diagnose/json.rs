//! A minimal JSON value and writer for the diagnose reports (no external
//! serialisation dependency).

use std::fmt::Write;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, keys in insertion order.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// A string value.
    pub fn s(v: impl Into<String>) -> Json {
        Json::Str(v.into())
    }

    /// A string or `null`.
    pub fn opt_s(v: Option<impl Into<String>>) -> Json {
        v.map(|x| Json::Str(x.into())).unwrap_or(Json::Null)
    }

    /// An object from `(key, value)` pairs.
    pub fn obj(pairs: Vec<(&str, Json)>) -> Json {
        Json::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// Compact text.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        self.write(&mut o, None, 0);
        o
    }

    /// Indented text (two spaces).
    pub fn to_pretty(&self) -> String {
        let mut o = String::new();
        self.write(&mut o, Some(2), 0);
        o
    }

    fn write(&self, o: &mut String, indent: Option<usize>, depth: usize) {
        let nl = |o: &mut String, d: usize| {
            if let Some(n) = indent {
                o.push('\n');
                o.push_str(&" ".repeat(n * d));
            }
        };
        match self {
            Json::Null => o.push_str("null"),
            Json::Bool(b) => o.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(o, "{i}");
            }
            Json::Str(s) => escape(o, s),
            Json::Arr(v) => {
                if v.is_empty() {
                    o.push_str("[]");
                    return;
                }
                o.push('[');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        o.push(',');
                    }
                    nl(o, depth + 1);
                    x.write(o, indent, depth + 1);
                }
                nl(o, depth);
                o.push(']');
            }
            Json::Obj(v) => {
                if v.is_empty() {
                    o.push_str("{}");
                    return;
                }
                o.push('{');
                for (i, (k, x)) in v.iter().enumerate() {
                    if i > 0 {
                        o.push(',');
                    }
                    nl(o, depth + 1);
                    escape(o, k);
                    o.push(':');
                    if indent.is_some() {
                        o.push(' ');
                    }
                    x.write(o, indent, depth + 1);
                }
                nl(o, depth);
                o.push('}');
            }
        }
    }
}

fn escape(o: &mut String, s: &str) {
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_json() {
        let v = Json::obj(vec![
            ("a", Json::Int(1)),
            ("b", Json::s("x\"y\n")),
            ("c", Json::Arr(vec![Json::Null, Json::Bool(true)])),
        ]);
        assert_eq!(v.to_text(), r#"{"a":1,"b":"x\"y\n","c":[null,true]}"#);
    }
}
