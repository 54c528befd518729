//! `iptables-xml`: iptables-save text to iptables' XML form, as the tool of
//! iptables 1.8.11 writes it (its shell testcase `ipt-save/0006iptables-xml`
//! is the reference): each table an element, each chain one (declared chains
//! never used by a rule are written empty at the table's end), each rule its
//! conditions (options before the target, grouped by match) and actions.
//! With `-c`, consecutive rules with the same conditions and a non-final
//! action share one rule element. Only text is converted: nothing is read
//! from or written to the kernel.

use crate::getopt::{Getopt, Got, HasArg, LongOpt, Val};
use crate::restore::split_quoted;
use std::io::BufRead;

/// Longest table or chain name kept (the tool's buffers).
const NAME_MAX: usize = 32;

/// Most chains one table may declare.
const MAX_CHAINS: usize = 10240;

/// A chain declared by a `:CHAIN POLICY [p:b]` line.
struct Declared {
    name: String,
    policy: String,
    counters: (u64, u64),
    /// Opened by a rule (so not written empty at the table's end).
    opened: bool,
}

/// One word of a rule line and whether it was quoted.
type Word = (String, bool);

struct Xml {
    out: String,
    combine: bool,
    verbose: bool,
    table: String,
    chain: String,
    declared: Vec<Declared>,
    /// An `<actions>` element is open.
    actions_open: bool,
    /// A `<rule>` element is open.
    rule_open: bool,
}

fn truncated(s: &str) -> String {
    let mut n = s.len().min(NAME_MAX);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    s[..n].to_string()
}

fn is_target(w: &str) -> bool {
    matches!(w, "-j" | "--jump" | "-g" | "--goto")
}

fn is_module(w: &str) -> bool {
    matches!(w, "-m" | "--module")
}

/// XML text: `&`, `<`, `>`, `"` as entities, bytes from 127 up as
/// numeric references.
fn encode(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 127 => out.push(c),
            c => {
                let mut b = [0u8; 4];
                for byte in c.encode_utf8(&mut b).bytes() {
                    out.push_str(&format!("&#{byte};"));
                }
            }
        }
    }
}

/// Comment text: the tool marks every hyphen with a star before it (and a
/// space before every second one, counted over the whole text) so that no
/// `--` ends the comment; a final newline is dropped.
fn comment_text(out: &mut String, s: &str) {
    let mut hyphens = 0;
    let n = s.len();
    for (i, c) in s.char_indices() {
        if c == '-' {
            hyphens += 1;
            if hyphens >= 2 {
                hyphens = 0;
                out.push(' ');
            }
            out.push('*');
        }
        if !(c == '\n' && i + 1 == n) {
            out.push(c);
        }
    }
}

impl Xml {
    fn comment(&mut self, s: &str) {
        self.out.push_str("<!-- ");
        comment_text(&mut self.out, s);
        self.out.push_str(" -->\n");
    }

    fn attr(&mut self, name: &str, value: &str) {
        self.out.push_str(name);
        self.out.push_str("=\"");
        encode(&mut self.out, value);
        self.out.push_str("\" ");
    }

    fn close_chain(&mut self) {
        if self.chain.is_empty() {
            return;
        }
        self.close_rule_parts();
        self.out.push_str("    </chain>\n");
        self.chain.clear();
    }

    /// Close the open `<actions>` and `<rule>` (each followed by an empty
    /// line, as the tool writes them).
    fn close_rule_parts(&mut self) {
        if self.actions_open {
            self.out.push_str("       </actions>\n\n");
            self.actions_open = false;
        }
        if self.rule_open {
            self.out.push_str("      </rule>\n\n");
            self.rule_open = false;
        }
    }

    /// `<chain ...>`, or `<chain ... />` when `empty`.
    fn open_chain(&mut self, name: &str, policy: &str, counters: (u64, u64), empty: bool) {
        self.close_chain();
        let name = truncated(name);
        self.out.push_str("    <chain ");
        self.attr("name", &name);
        if policy != "-" {
            self.attr("policy", policy);
        }
        self.out
            .push_str(&format!("packet-count=\"{}\" ", counters.0));
        self.out
            .push_str(&format!("byte-count=\"{}\" ", counters.1));
        if empty {
            self.out.push_str("/>\n");
        } else {
            self.out.push_str(">\n");
            self.chain = name;
        }
    }

    fn exists_chain(&self, name: &str) -> bool {
        self.chain == name || self.declared.iter().any(|d| d.name == name)
    }

    /// Open the declared chain a rule is appended to (a chain never
    /// declared is not opened: its rules land in the open one).
    fn need_chain(&mut self, name: &str) {
        if self.chain == name {
            return;
        }
        for i in 0..self.declared.len() {
            if self.declared[i].name == name {
                let (n, p, c) = {
                    let d = &self.declared[i];
                    (d.name.clone(), d.policy.clone(), d.counters)
                };
                self.open_chain(&n, &p, c, false);
                self.declared[i].opened = true;
            }
        }
    }

    fn close_table(&mut self) {
        self.close_chain();
        for d in std::mem::take(&mut self.declared) {
            if !d.opened {
                self.open_chain(&d.name, &d.policy, d.counters, true);
            }
        }
        if !self.table.is_empty() {
            self.out.push_str("  </table>\n");
        }
        self.table.clear();
    }

    fn open_table(&mut self, name: &str) {
        self.close_table();
        self.table = truncated(name);
        self.out.push_str("  <table ");
        let t = self.table.clone();
        self.attr("name", &t);
        self.out.push_str(">\n");
    }

    /// One rule: a new `<rule>` with its conditions, unless combining with
    /// the previous one; then its actions.
    fn rule(&mut self, counters: Option<(&str, &str)>, argv: &[Word], last: &[Word]) {
        let has_conditions = argv.len() > 2 && !is_target(&argv[2].0);
        if self.combine && has_conditions && same_conditions(argv, last) {
            self.comment("Combine action from next rule");
        } else {
            self.close_rule_parts();
            self.out.push_str("      <rule ");
            if let Some((p, b)) = counters {
                self.attr("packet-count", p);
                self.attr("byte-count", b);
            }
            self.out.push_str(">\n");
            self.rule_open = true;
            if has_conditions {
                self.out.push_str("       <conditions>\n");
                self.rule_part(argv, Part::Conditions);
                self.out.push_str("       </conditions>\n");
            }
        }
        if !self.actions_open {
            self.out.push_str("       <actions>\n");
            self.actions_open = true;
        }
        self.rule_part(argv, Part::Actions);
    }

    /// The words of one part of a rule as elements: a match (or `match`
    /// for the built-in options before any `-m`) holding one element per
    /// option with its value as text, a jump to a known chain as
    /// `<call>`/`<goto>`, a target as its own element.
    fn rule_part(&mut self, argv: &[Word], part: Part) {
        const IND1: &str = "        ";
        const IND2: &str = "          ";
        let mut level1: Option<String> = None;
        let mut level2: Option<String> = None;
        let close = |out: &mut String, l: &mut Option<String>| {
            if let Some(t) = l.take() {
                out.push_str(&format!("</{t}>\n"));
            }
        };
        let mut arg = 2;
        let mut invert_next = false;
        let mut spacer = "";
        if part == Part::Actions {
            while arg < argv.len() && (argv[arg].1 || !is_target(&argv[arg].0)) {
                arg += 1;
            }
        }
        let i = if argv.get(arg).is_some_and(|w| w.0 == "!") {
            arg + 1
        } else {
            arg
        };
        if let Some((w, _)) = argv.get(i) {
            if w.starts_with('-') && !is_target(w) && w != "-m" {
                level1 = Some("match".into());
                self.out.push_str(&format!("{IND1}<match >\n"));
            }
        }
        while arg < argv.len() {
            let (w, quoted) = (&argv[arg].0, argv[arg].1);
            let next = argv.get(arg + 1);
            if part == Part::Conditions && !quoted && is_target(w) {
                break;
            } else if !quoted && w == "!" {
                if next.is_some_and(|n| n.0.starts_with('-')) {
                    invert_next = true;
                } else {
                    self.out.push_str(spacer);
                    self.out.push('!');
                }
                spacer = " ";
            } else if !quoted && is_target(w) && next.is_some_and(|n| self.exists_chain(&n.0)) {
                close(&mut self.out, &mut level2);
                if level1.is_some() {
                    self.out.push_str(IND1);
                }
                close(&mut self.out, &mut level1);
                spacer = "";
                invert_next = false;
                let kind = if matches!(w.as_str(), "-g" | "--goto") {
                    "goto"
                } else {
                    "call"
                };
                self.out.push_str(&format!("{IND1}<{kind} >\n"));
                level1 = Some(kind.into());
                arg += 1;
                self.out.push_str(&format!("{IND2}<{} />\n", argv[arg].0));
            } else if !quoted && (is_target(w) || is_module(w)) {
                let Some(name) = next else { break };
                close(&mut self.out, &mut level2);
                if level1.is_some() {
                    self.out.push_str(IND1);
                }
                close(&mut self.out, &mut level1);
                spacer = "";
                invert_next = false;
                arg += 1;
                self.out.push_str(&format!("{IND1}<{} ", name.0));
                let ends = argv
                    .get(arg + 1)
                    .is_none_or(|n| !n.1 && (is_target(&n.0) || is_module(&n.0)));
                if ends {
                    self.out.push_str(" />\n");
                } else {
                    self.out.push_str(">\n");
                    level1 = Some(name.0.clone());
                }
            } else if !quoted && w.starts_with('-') {
                close(&mut self.out, &mut level2);
                let tag = w.trim_start_matches('-');
                spacer = "";
                self.out.push_str(&format!("{IND2}<{tag} "));
                if invert_next {
                    self.out.push_str(" invert=\"1\"");
                }
                invert_next = false;
                if next.is_none_or(|n| n.0.starts_with('-')) {
                    self.out.push_str(" />\n");
                } else {
                    self.out.push('>');
                    level2 = Some(tag.to_string());
                }
            } else {
                let q = quoted || w.contains(' ');
                self.out.push_str(spacer);
                if q {
                    self.out.push_str("&quot;");
                }
                encode(&mut self.out, w);
                if q {
                    self.out.push_str("&quot;");
                }
                spacer = " ";
            }
            arg += 1;
        }
        close(&mut self.out, &mut level2);
        if level1.is_some() {
            self.out.push_str(IND1);
        }
        close(&mut self.out, &mut level1);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Conditions,
    Actions,
}

/// Whether a rule repeats the previous rule's words up to both targets,
/// and the previous target was not a final one (ACCEPT, DROP, QUEUE,
/// RETURN or a goto).
fn same_conditions(new: &[Word], old: &[Word]) -> bool {
    for (k, (n, o)) in new.iter().zip(old).enumerate() {
        if is_target(&o.0) && is_target(&n.0) {
            let final_jump = matches!(o.0.as_str(), "-j" | "--jump")
                && old.get(k + 1).is_some_and(|t| {
                    matches!(t.0.as_str(), "ACCEPT" | "DROP" | "QUEUE" | "RETURN")
                });
            return !(final_jump || matches!(o.0.as_str(), "-g" | "--goto"));
        }
        if n.0 != o.0 {
            return false;
        }
    }
    false
}

/// `[p:b]`, zero where it does not parse.
fn chain_counters(s: Option<&str>) -> (u64, u64) {
    let Some(inner) = s.and_then(|s| s.strip_prefix('[')) else {
        return (0, 0);
    };
    let (a, rest) = inner.split_once(':').unwrap_or((inner, ""));
    let b = rest.split(']').next().unwrap_or("");
    let num = |x: &str| nftwire::iptables::num::c_strtoul(x.trim_start(), 10).0;
    (num(a), num(b))
}

/// A parameter error as the tool reports it (its version has no
/// "(nf_tables)").
fn param_error(line: usize, msg: &str) -> String {
    format!(
        "iptables-xml v{}: {msg}\nError occurred at line: {line}\nTry `iptables-xml -h' or 'iptables-xml --help' for more information.\n",
        nftwire::iptables::VERSION
    )
}

fn die(out: &str, msg: &str, code: i32) -> i32 {
    print!("{out}");
    eprint!("{msg}");
    code
}

/// Run `iptables-xml ARGS`.
pub fn main(args: Vec<String>) -> i32 {
    let l = |n: &'static str, c: char| LongOpt {
        name: n,
        has_arg: HasArg::No,
        val: Val::Base(c),
    };
    let long = vec![l("verbose", 'v'), l("combine", 'c'), l("help", 'h')];
    let mut x = Xml {
        out: String::new(),
        combine: false,
        verbose: false,
        table: String::new(),
        chain: String::new(),
        declared: Vec::new(),
        actions_open: false,
        rule_open: false,
    };
    let mut g = Getopt::new(args);
    let mut positional = Vec::new();
    loop {
        match g.next("cvh", &[&long]) {
            Got::End => break,
            Got::NonOpt(a) => positional.push(a),
            Got::Opt(Val::Base('c'), _) => x.combine = true,
            Got::Opt(Val::Base('v'), _) => {
                x.out.push_str("xptables-xml\n");
                x.verbose = true;
            }
            Got::Opt(Val::Base('h'), _) => {
                print!("{}", x.out);
                eprint!(
                    "Usage: iptables-xml [-c] [-v] [-h]\n          [--combine ]\n\t   [ --verbose ]\n\t   [ --help ]\n"
                );
                return 1;
            }
            _ => {}
        }
    }
    positional.extend(g.args.iter().skip(g.optind).cloned());
    let mut input: Box<dyn BufRead> = match positional.len() {
        0 => Box::new(std::io::stdin().lock()),
        1 => match std::fs::File::open(&positional[0]) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                let m = e.to_string();
                let m = m.split(" (os error").next().unwrap_or("");
                return die(&x.out, &format!("Can't open {}: {m}", positional[0]), 1);
            }
        },
        _ => return die(&x.out, "Unknown arguments found on commandline", 1),
    };
    x.out.push_str("<iptables-rules version=\"1.0\">\n");
    let perr =
        |line: usize, what: &str| param_error(line, &format!("iptables-xml: line {line} {what}"));
    let mut last: Vec<Word> = Vec::new();
    let mut line = 0usize;
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        line += 1;
        let text = String::from_utf8_lossy(&bytes);
        let buf: &str = &text;
        if buf.starts_with('\n') {
            continue;
        }
        if buf.starts_with('#') {
            x.comment(buf);
            continue;
        }
        if x.verbose {
            x.out.push_str(&format!("<!-- line {line} "));
            comment_text(&mut x.out, buf);
            x.out.push_str(" -->\n");
        }
        let tokens = || -> Vec<String> {
            buf[1..]
                .split([' ', '\t', '\n'])
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        };
        if buf == "COMMIT\n" && !x.table.is_empty() {
            x.close_table();
        } else if buf.starts_with('*') {
            let t = tokens();
            let Some(name) = t.first() else {
                return die(&x.out, &perr(line, "table name invalid"), 2);
            };
            x.open_table(name);
        } else if buf.starts_with(':') && !x.table.is_empty() {
            let t = tokens();
            let Some(chain) = t.first() else {
                return die(&x.out, &perr(line, "chain name invalid"), 2);
            };
            let Some(policy) = t.get(1) else {
                return die(&x.out, &perr(line, "policy invalid"), 2);
            };
            if x.declared.len() >= MAX_CHAINS {
                return die(&x.out, &perr(line, "chain name invalid"), 2);
            }
            x.declared.push(Declared {
                name: chain.clone(),
                policy: policy.clone(),
                counters: chain_counters(t.get(2).map(String::as_str)),
                opened: false,
            });
        } else if !x.table.is_empty() {
            let mut rest = buf;
            let mut counters: Option<(String, String)> = None;
            if let Some(after) = buf.strip_prefix('[') {
                let Some(end) = after.find(']') else {
                    return die(
                        &x.out,
                        &param_error(line, &format!("Bad line {line}: need ]")),
                        2,
                    );
                };
                let Some((p, b)) = after[..end].split_once(':') else {
                    return die(
                        &x.out,
                        &param_error(line, &format!("Bad line {line}: need ]")),
                        2,
                    );
                };
                counters = Some((p.to_string(), b.to_string()));
                rest = &after[end + 1..];
            }
            let argv = match split_quoted(rest, 0) {
                Ok(v) => v,
                Err(e) => {
                    return die(&x.out, &param_error(line, &e.msg), 2);
                }
            };
            let Some(chain) = argv
                .windows(2)
                .find(|w| w[0].0 == "-A")
                .map(|w| w[1].0.clone())
            else {
                return die(
                    &x.out,
                    &format!("iptables-xml: line {line} failed - no chain found\n"),
                    1,
                );
            };
            x.need_chain(&chain);
            let c = counters.as_ref().map(|(p, b)| (p.as_str(), b.as_str()));
            x.rule(c, &argv, &last);
            last = argv;
        } else {
            return die(&x.out, &format!("iptables-xml: line {line} failed\n"), 1);
        }
    }
    if !x.table.is_empty() {
        return die(
            &x.out,
            &format!("iptables-xml: COMMIT expected at line {}\n", line + 1),
            1,
        );
    }
    x.out.push_str("</iptables-rules>\n");
    print!("{}", x.out);
    0
}
