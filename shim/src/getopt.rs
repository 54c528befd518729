//! GNU `getopt_long` as iptables calls it: options returned in order
//! (optstring starting with `-`), missing arguments reported as `:`,
//! unknown or ambiguous ones as `?`, unique prefixes of long options
//! accepted.

/// Argument requirement of an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    /// None.
    No,
    /// Required.
    Required,
    /// Optional (`--opt=x` / `-oX` only).
    Optional,
}

/// What an option stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    /// A base option (short letter or iptables' private codes).
    Base(char),
    /// Option `opt` (index into its table) of loaded extension `ext`.
    Ext { ext: usize, opt: usize },
}

/// One long option.
#[derive(Clone, Copy, Debug)]
pub struct LongOpt {
    /// Name.
    pub name: &'static str,
    /// Argument requirement.
    pub has_arg: HasArg,
    /// Value returned.
    pub val: Val,
}

/// What `next` returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Got {
    /// An option with its argument.
    Opt(Val, Option<String>),
    /// A non-option word (returned in order).
    NonOpt(String),
    /// Missing argument (`:`), with the option as written.
    Missing(String),
    /// Unknown/ambiguous option (`?`), with optopt and the word.
    Unknown(Option<char>, String),
    /// End of options.
    End,
}

impl Got {
    /// What glibc's `getopt_long` prints on stderr (with `opterr` set) for
    /// an unknown option or a missing argument; `None` for anything else.
    /// `long` are the tables the option was looked up in: glibc names a
    /// long option by its full name even when an abbreviation was given.
    pub fn complaint(&self, argv0: &str, long: &[&[LongOpt]]) -> Option<String> {
        let full = |w: &str| -> String {
            let typed = w.trim_start_matches('-');
            let mut found = long
                .iter()
                .flat_map(|t| t.iter())
                .filter(|o| o.name.starts_with(typed));
            match (found.next(), found.next()) {
                (Some(o), _) if o.name == typed => format!("--{}", o.name),
                (Some(o), None) => format!("--{}", o.name),
                _ => w.to_string(),
            }
        };
        let candidates = |w: &str| -> Vec<String> {
            let typed = w.trim_start_matches('-');
            let typed = typed.split_once('=').map_or(typed, |(n, _)| n);
            let all: Vec<String> = long
                .iter()
                .flat_map(|t| t.iter())
                .map(|o| o.name.to_string())
                .filter(|n| n.starts_with(typed))
                .collect();
            if all.iter().any(|n| n == typed) {
                vec![typed.to_string()]
            } else {
                all
            }
        };
        Some(match self {
            Got::Unknown(Some(c), _) => format!("{argv0}: invalid option -- '{c}'"),
            Got::Unknown(None, w) if w.starts_with("--") && candidates(w).len() > 1 => {
                let list: Vec<String> = candidates(w).iter().map(|n| format!("'--{n}'")).collect();
                format!(
                    "{argv0}: option '{w}' is ambiguous; possibilities: {}",
                    list.join(" ")
                )
            }
            Got::Unknown(None, w) => match w.split_once('=') {
                Some((name, _)) if name.len() > 2 && candidates(name).len() == 1 => {
                    format!("{argv0}: option '{}' doesn't allow an argument", full(name))
                }
                _ => format!("{argv0}: unrecognized option '{w}'"),
            },
            Got::Missing(w) if w.starts_with("--") => {
                format!("{argv0}: option '{}' requires an argument", full(w))
            }
            Got::Missing(w) => format!(
                "{argv0}: option requires an argument -- '{}'",
                w.trim_start_matches('-')
            ),
            _ => return None,
        })
    }
}

/// The parser state.
pub struct Getopt {
    /// Arguments including argv[0].
    pub args: Vec<String>,
    /// Next argument index.
    pub optind: usize,
    nextchar: String,
}

impl Getopt {
    /// Start at argv[1].
    pub fn new(args: Vec<String>) -> Getopt {
        Getopt {
            args,
            optind: 1,
            nextchar: String::new(),
        }
    }

    /// Next option. `short` is the optstring after `-:`.
    pub fn next(&mut self, short: &str, long: &[&[LongOpt]]) -> Got {
        if self.nextchar.is_empty() {
            let Some(arg) = self.args.get(self.optind).cloned() else {
                return Got::End;
            };
            if arg == "--" {
                self.optind += 1;
                return Got::End;
            }
            if !arg.starts_with('-') || arg == "-" {
                self.optind += 1;
                return Got::NonOpt(arg);
            }
            if let Some(body) = arg.strip_prefix("--") {
                self.optind += 1;
                return self.long(body, &arg, long);
            }
            self.nextchar = arg[1..].to_string();
            self.optind += 1;
        }
        let mut chars = self.nextchar.chars();
        let c = chars.next().unwrap_or('?');
        let rest: String = chars.collect();
        self.nextchar = rest.clone();
        let pos = if c == ':' || c == '-' {
            None
        } else {
            short.find(c)
        };
        let Some(p) = pos else {
            return Got::Unknown(Some(c), format!("-{c}"));
        };
        let after = &short[p + c.len_utf8()..];
        if after.starts_with("::") {
            self.nextchar.clear();
            let a = if rest.is_empty() { None } else { Some(rest) };
            Got::Opt(Val::Base(c), a)
        } else if after.starts_with(':') {
            self.nextchar.clear();
            if !rest.is_empty() {
                Got::Opt(Val::Base(c), Some(rest))
            } else if let Some(a) = self.args.get(self.optind).cloned() {
                self.optind += 1;
                Got::Opt(Val::Base(c), Some(a))
            } else {
                Got::Missing(format!("-{c}"))
            }
        } else {
            Got::Opt(Val::Base(c), None)
        }
    }

    fn long(&mut self, body: &str, word: &str, long: &[&[LongOpt]]) -> Got {
        let (name, eq) = match body.find('=') {
            Some(i) => (&body[..i], Some(body[i + 1..].to_string())),
            None => (body, None),
        };
        let all = || long.iter().flat_map(|t| t.iter());
        let found = all().find(|o| o.name == name).or_else(|| {
            let cands: Vec<&LongOpt> = all().filter(|o| o.name.starts_with(name)).collect();
            let first = cands.first()?;
            if cands
                .iter()
                .all(|o| o.has_arg == first.has_arg && o.val == first.val)
            {
                Some(*first)
            } else {
                None
            }
        });
        let Some(o) = found.filter(|_| !name.is_empty()) else {
            return Got::Unknown(None, word.to_string());
        };
        match (o.has_arg, eq) {
            (HasArg::No, Some(_)) => Got::Unknown(None, word.to_string()),
            (HasArg::No, None) => Got::Opt(o.val, None),
            (_, Some(a)) => Got::Opt(o.val, Some(a)),
            (HasArg::Optional, None) => Got::Opt(o.val, None),
            (HasArg::Required, None) => match self.args.get(self.optind).cloned() {
                Some(a) => {
                    self.optind += 1;
                    Got::Opt(o.val, Some(a))
                }
                None => Got::Missing(word.to_string()),
            },
        }
    }
}
