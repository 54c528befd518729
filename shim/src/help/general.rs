//! `iptables -h`: the general help, as 1.8.11 prints it.

use nftwire::iptables::Family;

/// 1.8.11's general help with `%PROG%`, `%VERSION%`, `%V4%`, `%V6%` and
/// `%FRAGMENT%` (a whole line) left open.
const TEMPLATE: &str = include_str!("text/general.txt");

/// The `-f` line, which only `iptables` prints.
const FRAGMENT: &str = "[!] --fragment\t-f\t\tmatch second or further fragments only\n";

/// The general help of `prog` for `family` (without extension helps).
pub fn general(family: Family, prog: &str) -> String {
    let (v4, v6) = match family {
        Family::V4 => ("Nothing", "Error"),
        Family::V6 => ("Error", "Nothing"),
    };
    let fragment = match family {
        Family::V4 => FRAGMENT,
        Family::V6 => "",
    };
    TEMPLATE
        .replace("%FRAGMENT%\n", fragment)
        .replace("%PROG%", prog)
        .replace("%VERSION%", nftwire::iptables::VERSION_STRING)
        .replace("%V4%", v4)
        .replace("%V6%", v6)
}
