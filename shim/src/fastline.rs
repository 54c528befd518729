//! The common rule line, read without getopt.
//!
//! Nearly every line kube-proxy (and most restore writers) emit has one
//! shape: `-A CHAIN`, then `[!] -s ADDR`, `[!] -d ADDR`, `[!] -p PROTO`,
//! a few `-m NAME` with their options, and `-j`/`-g` to a chain or a
//! standard verdict. [`parse_append`] reads such a line into the very
//! [`Parsed`] that [`crate::parse::parse`] builds, through the same
//! extension code (load, revision choice, option parser, final check) in
//! the same order, only without building an argument vector and without
//! getopt's merged option tables, which are most of a line's parse time.
//!
//! It accepts only what it is sure of: exact option spellings (no
//! abbreviations, no `--opt=value`), options that take their value as the
//! next word, each base option once, each listed match once, plain or
//! fully quoted words without escapes, and no verbose flag. Anything else,
//! and any error, returns `None`, and the line goes to the full parser,
//! which gives iptables' exact answer, errors and warnings included. The
//! tests below hold every accepted line to the full parser's result.

use crate::parse::{cmd, opt, option_entry, set_option, xt_parse_target, Parsed};
use nftwire::iptables::addr::{self, AddrMask};
use nftwire::iptables::ext::{Argv, Ctx, HasArg, OptCall};
use nftwire::iptables::match_::Match;
use nftwire::iptables::rule::{IptRule, Verdict};
use nftwire::iptables::target::Target;
use nftwire::iptables::Family;

/// Matches read here. Their option names collide neither with each other
/// (`tcp` and `udp` share theirs, so only one of the two is taken) nor
/// with a base option, so an exact name routes the same way getopt would.
const MATCHES: &[&str] = &["comment", "tcp", "udp", "statistic", "mark", "addrtype"];

/// Most words a line read here may have (iptables' limit is far above).
const MAX_WORDS: usize = 64;

/// The words of `line` as the restore splitter reads them, when every
/// word is plain or wholly quoted without a backslash; `None` otherwise.
fn words(line: &str) -> Option<Vec<&str>> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(24);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b' ' | b'\t' | b'\n') {
            i += 1;
            continue;
        }
        let quoted = c == b'"';
        let start = i + usize::from(quoted);
        let mut j = start;
        // a quoted word ends at its closing quote, a plain one at a blank;
        // a quote inside a plain word, or a backslash anywhere, is left to
        // the full splitter
        loop {
            match b.get(j) {
                None if quoted => return None,
                None => break,
                Some(b'"') if quoted => break,
                Some(b'"' | b'\\') => return None,
                Some(b' ' | b'\t' | b'\n') if !quoted => break,
                Some(_) => j += 1,
            }
        }
        out.push(&line[start..j]);
        i = j + usize::from(quoted);
        if quoted && b.get(i).is_some_and(|c| !matches!(c, b' ' | b'\t' | b'\n')) {
            return None;
        }
        if out.len() > MAX_WORDS || j - start >= crate::restore::MAX_PARAM {
            return None;
        }
    }
    Some(out)
}

/// One `-s`/`-d` value, read after the options as iptables does.
fn address(family: Family, s: Option<&str>) -> Option<AddrMask> {
    let Some(s) = s else {
        return Some(AddrMask::default());
    };
    match addr::parse_multiple(family, s) {
        Ok(v) if v.len() == 1 => Some(v[0]),
        _ => None,
    }
}

/// A `[p:b]` counter as `--set-counters` reads it: plain decimal only.
fn counter(s: &str) -> Option<u64> {
    (!s.is_empty() && s.len() < 20 && s.bytes().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Read the rule line `line` (the words after the table, counters
/// already taken off) of table `table` as the full parser would, with
/// `counters` the line's `[p:b]` when `--counters` applies. `None`: not
/// a line read here (or not a valid one); the full parser reads it.
pub fn parse_append(
    family: Family,
    table: &str,
    line: &str,
    counters: Option<(&str, &str)>,
) -> Option<Parsed> {
    let w = words(line)?;
    let (["-A", chain], rest) = w.split_at_checked(2)? else {
        return None;
    };
    if chain.is_empty() || chain.len() >= 29 || chain.starts_with(['-', '!']) {
        return None;
    }
    let mut p = Parsed {
        command: cmd::APPEND,
        chain: Some(chain.to_string()),
        table: table.to_string(),
        ..Default::default()
    };
    if let Some((a, b)) = counters {
        set_option(&mut p.options, opt::COUNTERS, false, false).ok()?;
        p.counters = Some((counter(a)?, counter(b)?));
    }
    let (mut proto, mut proto_inv) = (0u8, false);
    let (mut shost, mut dhost) = (None, None);
    let (mut src_inv, mut dst_inv) = (false, false);
    let mut matches: Vec<(Match, u32)> = Vec::new();
    let mut jump: Option<(String, bool)> = None;
    let mut argv = Argv {
        args: Vec::new(),
        optind: 0,
    };
    let mut invert = false;
    let mut it = rest.iter().copied();
    while let Some(word) = it.next() {
        if word == "!" {
            if invert {
                return None;
            }
            invert = true;
            continue;
        }
        let cx = Ctx {
            family,
            proto,
            proto_inv,
            table,
        };
        match word {
            "-s" | "--source" => {
                set_option(&mut p.options, opt::SOURCE, true, invert).ok()?;
                (shost, src_inv) = (Some(it.next()?), invert);
            }
            "-d" | "--destination" => {
                set_option(&mut p.options, opt::DESTINATION, true, invert).ok()?;
                (dhost, dst_inv) = (Some(it.next()?), invert);
            }
            "-p" | "--protocol" => {
                set_option(&mut p.options, opt::PROTOCOL, true, invert).ok()?;
                proto = match it.next()? {
                    "tcp" => 6,
                    "udp" => 17,
                    "sctp" => 132,
                    _ => return None,
                };
                proto_inv = invert;
            }
            "-m" | "--match" => {
                let name = it.next()?;
                let taken = |n: &str| matches.iter().any(|(m, _)| m.name() == n);
                if invert
                    || !MATCHES.contains(&name)
                    || taken(name)
                    || (matches!(name, "tcp" | "udp") && (taken("tcp") || taken("udp")))
                {
                    return None;
                }
                let mut m = Match::load(name, &cx)?;
                let rev = crate::revision::pick(family, m.name(), &m.candidates(family), false)?;
                m.set_revision(rev);
                matches.push((m, 0));
            }
            "-j" | "--jump" | "-g" | "--goto" => {
                set_option(&mut p.options, opt::JUMP, false, invert).ok()?;
                let name = it.next()?;
                let goto = matches!(word, "-g" | "--goto");
                if name == "CONTINUE" || (!goto && Target::load(name, &cx).is_some()) {
                    return None;
                }
                jump = Some((xt_parse_target(name).ok()?, goto));
            }
            _ => {
                // an option of a loaded match, spelled out in full
                let name = word.strip_prefix("--")?;
                let (m, seen, i) = matches.iter_mut().find_map(|(m, seen)| {
                    let i = m.options().iter().position(|d| d.name == name)?;
                    (m.options()[i].has_arg == HasArg::Required).then_some((m, seen, i))
                })?;
                let def = option_entry(m.options(), i, m.x6());
                let mut call = OptCall {
                    def,
                    arg: Some(it.next()?.to_string()),
                    invert,
                    seen: *seen,
                    argv: &mut argv,
                };
                m.parse(&mut call, &cx).ok()?;
                *seen |= 1 << def.id;
            }
        }
        invert = false;
    }
    if invert {
        return None;
    }
    let jumpto = jump.as_ref().map_or("", |(j, _)| j.as_str());
    if table == "nat" && jumpto == "DROP" {
        return None;
    }
    let cx = Ctx {
        family,
        proto,
        proto_inv,
        table,
    };
    for (m, seen) in &mut matches {
        m.check(*seen, &cx).ok()?;
    }
    let mut r = IptRule::new(family);
    r.src = address(family, shost)?;
    r.src_inv = src_inv;
    r.dst = address(family, dhost)?;
    r.dst_inv = dst_inv;
    r.proto = proto;
    r.proto_inv = proto_inv;
    // (not collected in place: that would keep the larger buffer, a few
    // hundred bytes a rule over a restore's many thousand rules)
    r.matches = Vec::with_capacity(matches.len());
    r.matches.extend(matches.into_iter().map(|(m, _)| m));
    r.verdict = match jump {
        None => Verdict::None,
        Some((j, true)) => Verdict::Goto(j),
        Some((j, false)) => match j.as_str() {
            "ACCEPT" => Verdict::Accept,
            "DROP" => Verdict::Drop,
            "RETURN" => Verdict::Return,
            _ => Verdict::Jump(j),
        },
    };
    if let Some((pc, bc)) = p.counters {
        r.packets = pc;
        r.bytes = bc;
    }
    p.rules = vec![r];
    p.naddrs_src = 1;
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full parser's reading of the same line, with its warnings.
    fn full(
        family: Family,
        table: &str,
        line: &str,
        ctr: Option<(&str, &str)>,
    ) -> (Result<Parsed, String>, Vec<String>) {
        nftwire::iptables::warn::collected(|| {
            let mut argv = vec![family.cmd().to_string(), "-t".into(), table.to_string()];
            if let Some((a, b)) = ctr {
                argv.extend(["--set-counters".to_string(), a.into(), b.into()]);
            }
            crate::restore::split_words(line, &mut argv).map_err(|e| e.msg)?;
            crate::parse::parse(family, argv, table, true, "iptables-restore").map_err(|e| e.msg)
        })
    }

    /// Whether `line` is read here, and if so, exactly as the full parser
    /// reads it (and without a warning from it).
    fn agrees(family: Family, table: &str, line: &str, ctr: Option<(&str, &str)>) -> bool {
        crate::revision::assume_all();
        let Some(fast) = parse_append(family, table, line, ctr) else {
            return false;
        };
        let (slow, warnings) = full(family, table, line, ctr);
        let slow =
            slow.unwrap_or_else(|e| panic!("read here, but the full parser says {e:?}: {line}"));
        assert!(warnings.is_empty(), "{warnings:?} from {line}");
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{line}");
        // the key computed on a parse thread is the sent message's
        for r in &fast.rules {
            let Ok(rule) = crate::model::encode_rule(family.nfproto(), table, "C", r) else {
                continue;
            };
            let (mut want, mut got) = (Vec::new(), Vec::new());
            crate::rulekey::rule_key(
                &rule.to_msg(nftwire::consts::msg::NEWRULE, 0).body,
                &mut want,
            );
            let mut w = nftwire::nla::Writer::new();
            crate::model::encoded_key(table, r, &mut w, &mut got).unwrap();
            assert_eq!(got, want, "{line}");
        }
        true
    }

    #[test]
    fn kube_proxy_lines_are_read_here_as_the_full_parser_reads_them() {
        let lines = [
            r#"-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4"#,
            r#"-A KUBE-SVC-ERIFXISQEP7F7OF4 ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp --dport 53 -j KUBE-MARK-MASQ"#,
            r#"-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.244.0.3:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-AAAAAAAAAAAAAAAA"#,
            r#"-A KUBE-SEP-AAAAAAAAAAAAAAAA -s 10.244.0.3/32 -m comment --comment "kube-system/kube-dns:dns-tcp" -j KUBE-MARK-MASQ"#,
            r#"-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"#,
            r#"-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"#,
            r#"-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN"#,
            r#"-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT"#,
            r#"-A KUBE-SERVICES -d 10.96.3.4/32 -p udp -m comment --comment "ns/svc:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-BBBBBBBBBBBBBBBB"#,
            r#"-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "x" -m addrtype --dst-type LOCAL -m tcp --dport 30080 -g KUBE-EXT-CCCCCCCCCCCCCCCC"#,
        ];
        let mut read = 0;
        for l in lines {
            read += usize::from(agrees(Family::V4, "nat", l, None));
            read += usize::from(agrees(Family::V4, "filter", l, Some(("12", "3456"))));
        }
        // all but the MARK target line, twice
        assert_eq!(read, 18);
        assert!(agrees(
            Family::V6,
            "nat",
            r#"-A KUBE-SERVICES -d fd00:10:96::a/128 -p tcp -m comment --comment "a b" -m tcp --dport 53 -j KUBE-SVC-X"#,
            None
        ));
    }

    /// Random lines from valid and invalid pieces: whatever is read here
    /// is read as the full parser reads it.
    #[test]
    fn random_lines_read_here_agree_with_the_full_parser() {
        const HEADS: &[&str] = &[
            "-A C",
            "-A KUBE-SVC-X",
            "-A",
            "-I C",
            "-A C-23456789012345678901234567",
            "-A -x",
            "--append C",
            "-A \"C\"",
        ];
        const PIECES: &[&str] = &[
            "-s 10.1.2.3",
            "-s 10.1.2.3/8",
            "-s 10.1.2.3/0",
            "-s 010.1.2.3",
            "-s 1.2.3",
            "-s 10.0.0.1/33",
            "-s 10.0.0.1/255.0.0.0",
            "-s 10.0.0.1,10.0.0.2",
            "-s localhost",
            "-s ::1",
            "-s fd00::1/64",
            "! -s 10.0.0.0/16",
            "--source 1.2.3.4",
            "-d 10.96.0.1/32",
            "! -d 10.96.0.1",
            "-d 256.1.1.1",
            "-d 1.2.3.4/032",
            "-p tcp",
            "-p udp",
            "-p sctp",
            "-p TCP",
            "-p 6",
            "! -p tcp",
            "-p icmp",
            "-m comment --comment hello",
            "-m comment --comment \"two words\"",
            "-m comment --comment \"\"",
            "-m comment --comm x",
            "-m comment --comment \"a\\\"b\"",
            "-m comment",
            "--comment x",
            "-m tcp --dport 80",
            "-m tcp --dport 0",
            "-m tcp ! --dport 80",
            "-m tcp --dport 80:90",
            "-m tcp --dport http",
            "-m tcp --dport 70000",
            "-m tcp --sport 1",
            "-m tcp --syn",
            "-m tcp --dport",
            "-m udp --dport 53",
            "-m udp --destination-port 53",
            "-m statistic --mode random --probability 0.5",
            "-m statistic --mode random --probability 2",
            "-m statistic --mode nth --every 3 --packet 1",
            "-m statistic --mode nth",
            "-m mark --mark 0x4000/0x4000",
            "-m mark ! --mark 1",
            "-m mark --mark x",
            "-m addrtype --dst-type LOCAL",
            "-m addrtype --src-type BOGUS",
            "-m state --state NEW",
            "-m conntrack --ctstate NEW",
            "-j ACCEPT",
            "-j DROP",
            "-j RETURN",
            "-j KUBE-MARK-MASQ",
            "-j MASQUERADE",
            "-j CONTINUE",
            "-g KUBE-X",
            "! -j ACCEPT",
            "-j",
            "-j \"A B\"",
            "-i eth0",
            "!",
            "! !",
            "-v",
            "--dport 80",
            "-t nat",
            "-f",
            "-c 1 2",
            "junk",
        ];
        const GOOD: &[&str] = &[
            "-s 10.1.2.3/8",
            "! -d 10.96.0.1/32",
            "-p tcp",
            "-p udp",
            "-m comment --comment \"a b\"",
            "-m tcp --dport 80",
            "-m udp ! --sport 53",
            "-m statistic --mode random --probability 0.25",
            "-m mark --mark 0x4000/0x4000",
            "-m addrtype --dst-type LOCAL",
            "-j KUBE-SEP-A",
            "-j ACCEPT",
            "-g G",
        ];
        let mut rng = 0x5eed_u64;
        let mut next = |n: usize| {
            rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) % n as u64) as usize
        };
        let (mut read, mut total) = (0, 0);
        for _ in 0..20_000 {
            // mostly valid lines, with an odd head or piece now and then
            let mut line = if next(3) == 0 {
                HEADS[next(HEADS.len())]
            } else {
                HEADS[0]
            }
            .to_string();
            for _ in 0..next(6) {
                line.push(' ');
                line.push_str(if next(3) == 0 {
                    PIECES[next(PIECES.len())]
                } else {
                    GOOD[next(GOOD.len())]
                });
            }
            let family = if next(4) == 0 { Family::V6 } else { Family::V4 };
            let table = ["nat", "filter", "mangle"][next(3)];
            let ctr = [None, Some(("1", "2")), Some(("x", "2")), Some(("", "0"))][next(4)];
            total += 1;
            read += usize::from(agrees(family, table, &line, ctr));
        }
        eprintln!("{read} of {total} random lines read here");
        // not a vacuous comparison: a good share is read here
        assert!(read * 10 > total, "{read} of {total} read here");
        assert!(
            read * 5 < total * 4,
            "{read} of {total} read here: too few near misses"
        );
    }

    #[test]
    fn words_are_the_restore_splitters_or_none() {
        let lines = [
            "-A C -j ACCEPT",
            "  -A\tC  -m comment --comment \"a  b\" -j X \n",
            "-A C -m comment --comment \"\"",
            "-A C --comment \"a\"b",
            "-A C --comment a\"b c\"",
            "-A C --comment \"a\\\"b\"",
            "-A C x\\y",
            "-A C \"unclosed",
            "\"-A\" C",
            "",
        ];
        let mut read = 0;
        for l in lines {
            let Some(w) = words(l) else { continue };
            read += 1;
            let want: Vec<String> = crate::restore::split_quoted(l, 0)
                .unwrap()
                .into_iter()
                .map(|(w, _)| w)
                .collect();
            assert_eq!(w, want, "{l:?}");
        }
        assert_eq!(read, 5);
    }
}
