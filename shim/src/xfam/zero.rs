//! Zeroing a base chain's counters, the same for every family.

use nftwire::object::chain::ChainCounters;
use nftwire::object::Chain;

/// The chain to send (NEWCHAIN) to zero base chain `from`'s counters:
/// `name` of `table` in `family`, with `from`'s hook, policy and type and
/// both counters 0.
pub fn zeroed_base_chain(family: u8, table: &str, name: &str, from: &Chain) -> Chain {
    let mut c = Chain::regular(family, table, name);
    c.attrs.hook = from.attrs.hook.clone();
    c.attrs.policy = from.attrs.policy;
    c.attrs.chain_type = from.attrs.chain_type.clone();
    c.attrs.counters = Some(ChainCounters {
        packets: Some(0),
        bytes: Some(0),
        ..Default::default()
    });
    c
}
