//! `-m cluster` (revision 0, `struct xt_cluster_match_info`, 16 bytes):
//! the node of a hash-based cluster that owns the connection.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_INVERT, F_MAND};
use crate::iptables::text::parse_uint;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// `XT_CLUSTER_NODES_MAX`.
const NODES_MAX: u64 = 32;
/// `XT_CLUSTER_F_INV`.
const F_INV: u32 = 1;
const F_TOTAL: u32 = 1 << 0;
const F_LOCAL_NODE: u32 = 1 << 1;
const F_LOCAL_MASK: u32 = 1 << 2;
const F_SEED: u32 = 1 << 3;

/// `struct xt_cluster_match_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cluster {
    /// Nodes in the cluster.
    pub total_nodes: u32,
    /// This node's bits.
    pub node_mask: u32,
    /// Hash seed.
    pub hash_seed: u32,
    /// `XT_CLUSTER_F_*`.
    pub flags: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("cluster-total-nodes", 0, F_MAND),
    OptDef::arg("cluster-local-node", 1, F_INVERT).excl(F_LOCAL_MASK),
    OptDef::arg("cluster-local-nodemask", 2, F_INVERT).excl(F_LOCAL_NODE),
    OptDef::arg("cluster-hash-seed", 3, F_MAND),
];

impl XtExt for Cluster {
    const NAME: &'static str = "cluster";
    const REVISION: u32 = 0;
    const SIZE: usize = 16;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Cluster::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let (arg, name) = (c.arg(), c.def.name);
        match c.def.id {
            0 => self.total_nodes = parse_uint("cluster", name, arg, 1, NODES_MAX)? as u32,
            1 => {
                let n = parse_uint("cluster", name, arg, 1, NODES_MAX)? as u32;
                self.node_mask = 1u32.wrapping_shl(n - 1);
            }
            2 => self.node_mask = parse_uint("cluster", name, arg, 1, NODES_MAX)? as u32,
            _ => self.hash_seed = parse_uint("cluster", name, arg, 0, u32::MAX as u64)? as u32,
        }
        if c.invert && matches!(c.def.id, 1 | 2) {
            self.flags |= F_INV;
        }
        Ok(())
    }
    fn check(&mut self, seen: u32, _: &Ctx<'_>) -> Result<()> {
        let too_big = self.node_mask as u64 >= 1u64 << self.total_nodes.min(63);
        if seen & (F_TOTAL | F_LOCAL_NODE | F_SEED) == F_TOTAL | F_LOCAL_NODE | F_SEED {
            if too_big {
                return Err(IptError::param(
                    "cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'",
                ));
            }
            return Ok(());
        }
        if seen & (F_TOTAL | F_LOCAL_MASK | F_SEED) == F_TOTAL | F_LOCAL_MASK | F_SEED {
            if too_big {
                return Err(IptError::param(
                    "cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'",
                ));
            }
            return Ok(());
        }
        if seen & (F_LOCAL_NODE | F_LOCAL_MASK) == 0 {
            return Err(IptError::param(
                "cluster match: `--cluster-local-node' or`--cluster-local-nodemask' is missing",
            ));
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.u32(0, self.total_nodes)
            .u32(4, self.node_mask)
            .u32(8, self.hash_seed)
            .u32(12, self.flags);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Cluster {
                total_nodes: r.u32(0)?,
                node_mask: r.u32(4)?,
                hash_seed: r.u32(8)?,
                flags: r.u32(12)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        let bang = if self.flags & F_INV != 0 { " !" } else { "" };
        let _ = write!(
            out,
            "{bang} --cluster-local-nodemask 0x{:08x} --cluster-total-nodes {} --cluster-hash-seed 0x{:08x}",
            self.node_mask, self.total_nodes, self.hash_seed
        );
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let bang = if self.flags & F_INV != 0 { "!" } else { "" };
        let _ = write!(
            out,
            " cluster {bang}node_mask=0x{:08x} total_nodes={} hash_seed=0x{:08x}",
            self.node_mask, self.total_nodes, self.hash_seed
        );
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let jhash = "jhash ct original saddr mod";
        let pkttype = "meta pkttype set host";
        let (mask, total, seed) = (self.node_mask, self.total_nodes, self.hash_seed);
        if mask & mask.wrapping_sub(1) == 0 {
            let node = if mask <= 2 {
                mask
            } else {
                32 - mask.leading_zeros()
            };
            x.add(&format!(
                "{jhash} {total} seed 0x{seed:08x} eq {node} {pkttype}"
            ));
        } else {
            x.add(&format!("{jhash} {total} seed 0x{seed:08x} "));
            let nodes: Vec<String> = (0..32)
                .filter(|n| mask & (1u32 << n) != 0)
                .map(|n| n.to_string())
                .collect();
            x.add("{ ");
            x.add(&nodes.join(", "));
            x.add(" }");
            x.add(&format!(" {pkttype}"));
        }
        true
    }
}
