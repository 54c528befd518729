//! Warnings iptables prints to standard error while it parses a rule
//! (deprecated options, unusual values). They go through [`warn`], so a
//! caller that parses lines on several threads can collect each line's
//! warnings ([`collected`]) and print them in line order.

use std::cell::RefCell;

thread_local! {
    static COLLECTED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Print `msg` (one line) to standard error, or keep it when the current
/// thread is inside [`collected`].
pub fn warn(msg: impl Into<String>) {
    let msg = msg.into();
    COLLECTED.with(|c| match c.borrow_mut().as_mut() {
        Some(v) => v.push(msg),
        None => eprintln!("{msg}"),
    })
}

/// Run `f`, returning what it returned and the warnings it gave (instead
/// of printing them).
pub fn collected<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let outer = COLLECTED.with(|c| c.borrow_mut().replace(Vec::new()));
    let r = f();
    let got = COLLECTED.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer));
    (r, got.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collected_warnings_are_kept_in_order_and_nest() {
        let (v, w) = collected(|| {
            warn("one");
            let (_, inner) = collected(|| warn("inner"));
            assert_eq!(inner, ["inner"]);
            warn("two");
            7
        });
        assert_eq!(v, 7);
        assert_eq!(w, ["one", "two"]);
    }
}
