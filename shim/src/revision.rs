//! libxtables' revision check: before a match or target revision is used
//! the first time in a process, the kernel is asked whether it has it
//! (`nft_compatible_revision`). EPERM counts as yes; a missing revision 0
//! only warns; otherwise the extension is unusable.

use nftwire::iptables::revision::probe;
use nftwire::iptables::Family;
use nftwire::netlink::Conn;
use std::cell::RefCell;
use std::collections::HashMap;

type Key = (Family, String, u32, bool);

thread_local! {
    static STATE: RefCell<(Option<Conn>, HashMap<Key, bool>)> = RefCell::new((None, HashMap::new()));
}

/// Whether revision `rev` of extension `real_name` may be used (asking the
/// kernel once per process, like libxtables). Prints libxtables' warnings.
pub fn usable(family: Family, name: &str, real_name: &str, rev: u32, target: bool) -> bool {
    let key = (family, real_name.to_string(), rev, target);
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(v) = s.1.get(&key) {
            if !*v {
                eprintln!("Warning: Extension {name} is not supported, missing kernel module?");
            }
            return *v;
        }
        if s.0.is_none() {
            s.0 = Conn::open().ok();
        }
        let ok = match s.0.as_mut() {
            None => false,
            Some(c) => match probe(c, family, real_name, rev, target) {
                Ok(()) => true,
                Err(e) if e.errno() == Some(1) => true,
                Err(_) if rev == 0 => {
                    eprintln!(
                        "Warning: Extension {real_name} revision 0 not supported, missing kernel module?"
                    );
                    true
                }
                Err(_) => false,
            },
        };
        if !ok {
            eprintln!("Warning: Extension {name} is not supported, missing kernel module?");
        }
        s.1.insert(key, ok);
        ok
    })
}
