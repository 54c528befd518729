//! Fight detection: two processes that keep undoing each other's changes to
//! one chain (the PREROUTING war of two CNI agents, each insisting on its
//! rule being first).
//!
//! A change to a chain *contests* an earlier one by another process when it
//! deletes a rule with the content that process added, re-adds a rule with
//! the content that process deleted, or inserts a rule at the head of the
//! chain after that process last did. Rules are compared by content
//! (expressions and userdata), not by handle, since every re-add gets a new
//! handle. Processes are told apart by command name: a writer that runs
//! `iptables` in a loop has a new pid each time but one name.
//!
//! When a chain collects [`DEFAULT_THRESHOLD`] contested changes within the
//! window, one [`Fight`] is reported; the episode ends once the chain has seen
//! no contested change for a whole window, and the next one is reported anew.

use super::txn::{Committer, Transaction};
use super::EventObject;
use crate::object::Rule;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Contested changes within the window that make a fight.
pub const DEFAULT_THRESHOLD: usize = 4;

/// The default window (`--fight-window 30s`).
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(30);

/// One fight episode, reported once when it is detected.
#[derive(Clone, Debug, PartialEq)]
pub struct Fight {
    /// `NFPROTO_*` family of the chain.
    pub family: u8,
    /// The table.
    pub table: String,
    /// The chain.
    pub chain: String,
    /// The process whose change made the fight reach the threshold.
    pub process: Committer,
    /// The process it undid (the last pid seen under that name).
    pub rival: Committer,
    /// Contested changes to the chain within the window so far.
    pub count: usize,
    /// The rule content last fought over, as expressions.
    pub rule: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ChainKey {
    family: u8,
    table: String,
    chain: String,
}

/// A contested change: when, by whom, undoing whom.
#[derive(Clone, Debug)]
struct Contest {
    at: Instant,
    by: String,
    undid: String,
}

#[derive(Default, Debug)]
struct ChainState {
    /// Content -> (name of the last process that added it, when).
    added_by: HashMap<String, (String, Instant)>,
    /// Content -> (name of the last process that deleted it, when).
    deleted_by: HashMap<String, (String, Instant)>,
    /// Name of the last process that inserted at the head, and when.
    head_by: Option<(String, Instant)>,
    contests: VecDeque<Contest>,
    in_episode: bool,
    last_rule: String,
}

/// Watches transactions and reports fights; feed it every transaction in
/// commit order with [`FightDetector::observe`].
#[derive(Debug)]
pub struct FightDetector {
    window: Duration,
    threshold: usize,
    chains: HashMap<ChainKey, ChainState>,
    /// Last pid seen per command name.
    pids: HashMap<String, u32>,
}

impl FightDetector {
    /// A detector with the given window and the default threshold.
    pub fn new(window: Duration) -> FightDetector {
        FightDetector::with_threshold(window, DEFAULT_THRESHOLD)
    }

    /// A detector with the given window and threshold (at least 1).
    pub fn with_threshold(window: Duration, threshold: usize) -> FightDetector {
        FightDetector {
            window,
            threshold: threshold.max(1),
            chains: HashMap::new(),
            pids: HashMap::new(),
        }
    }

    /// Take one committed transaction, seen at `now`; returns the fights
    /// whose episode starts with it (at most one per chain).
    pub fn observe(&mut self, now: Instant, t: &Transaction) -> Vec<Fight> {
        let me = t.committer.name.clone();
        self.pids.insert(me.clone(), t.committer.pid);
        let window = self.window;
        let mut touched: Vec<ChainKey> = Vec::new();
        for e in &t.events {
            let EventObject::Rule(r) = &e.object else {
                continue;
            };
            let key = ChainKey {
                family: r.family,
                table: r.table().to_string(),
                chain: r.chain().to_string(),
            };
            let content = content_of(r);
            let st = self.chains.entry(key.clone()).or_default();
            let mut undid = None;
            if e.added {
                if let Some((who, at)) = st.deleted_by.get(&content) {
                    if *who != me && now.saturating_duration_since(*at) <= window {
                        undid = Some(who.clone());
                    }
                }
                // A rule without a position attribute was put at the head.
                if r.attrs.position.is_none() {
                    if let Some((who, at)) = &st.head_by {
                        if undid.is_none()
                            && *who != me
                            && now.saturating_duration_since(*at) <= window
                        {
                            undid = Some(who.clone());
                        }
                    }
                    st.head_by = Some((me.clone(), now));
                }
                st.added_by.insert(content.clone(), (me.clone(), now));
            } else {
                if let Some((who, at)) = st.added_by.get(&content) {
                    if *who != me && now.saturating_duration_since(*at) <= window {
                        undid = Some(who.clone());
                    }
                }
                st.deleted_by.insert(content.clone(), (me.clone(), now));
            }
            if let Some(undid) = undid {
                st.contests.push_back(Contest {
                    at: now,
                    by: me.clone(),
                    undid,
                });
                st.last_rule = content;
                if !touched.contains(&key) {
                    touched.push(key);
                }
            }
        }
        let mut fights = Vec::new();
        for (key, st) in self.chains.iter_mut() {
            while st
                .contests
                .front()
                .is_some_and(|c| now.saturating_duration_since(c.at) > window)
            {
                st.contests.pop_front();
            }
            if st.contests.is_empty() {
                st.in_episode = false;
            }
            st.added_by
                .retain(|_, (_, at)| now.saturating_duration_since(*at) <= window);
            st.deleted_by
                .retain(|_, (_, at)| now.saturating_duration_since(*at) <= window);
            if !touched.contains(key) || st.in_episode || st.contests.len() < self.threshold {
                continue;
            }
            let Some(last) = st.contests.back() else {
                continue;
            };
            st.in_episode = true;
            let committer = |name: &str| Committer {
                pid: self.pids.get(name).copied().unwrap_or(0),
                name: name.to_string(),
            };
            fights.push(Fight {
                family: key.family,
                table: key.table.clone(),
                chain: key.chain.clone(),
                process: committer(&last.by),
                rival: committer(&last.undid),
                count: st.contests.len(),
                rule: st.last_rule.clone(),
            });
        }
        self.chains.retain(|_, st| {
            !st.contests.is_empty() || !st.added_by.is_empty() || !st.deleted_by.is_empty()
        });
        fights
    }
}

/// A rule's content: its expressions and userdata, without handle,
/// position, or counter values (a deleted rule's counters have moved on).
fn content_of(r: &Rule) -> String {
    let mut s: Vec<String> = r
        .exprs()
        .iter()
        .map(|x| match x.name().as_str() {
            "counter" => "[ counter ]".to_string(),
            _ => x.to_string(),
        })
        .collect();
    if let Some(u) = &r.attrs.userdata {
        s.push(format!("userdata {u:02x?}"));
    }
    s.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Event;
    use crate::object::RuleAttrs;

    fn rule_event(added: bool, content_port: u32) -> Event {
        let mut r = Rule::new(2, "nat", "PREROUTING", vec![]);
        r.attrs.userdata = Some(bytes::Bytes::from(content_port.to_be_bytes().to_vec()));
        let _: &RuleAttrs = &r.attrs;
        Event {
            added,
            msg_type: if added { 6 } else { 8 },
            object: EventObject::Rule(r),
        }
    }

    fn txn(name: &str, pid: u32, events: Vec<Event>) -> Transaction {
        Transaction {
            generation: 0,
            committer: Committer {
                pid,
                name: name.to_string(),
            },
            events,
        }
    }

    #[test]
    fn insert_and_delete_by_two_processes_is_one_fight() {
        let mut d = FightDetector::new(Duration::from_secs(30));
        let t0 = Instant::now();
        let mut all = Vec::new();
        for i in 0..6u64 {
            let at = t0 + Duration::from_millis(200 * i);
            all.extend(d.observe(
                at,
                &txn("writer-a", 10 + i as u32, vec![rule_event(true, 1)]),
            ));
            let at = at + Duration::from_millis(100);
            all.extend(d.observe(at, &txn("writer-b", 99, vec![rule_event(false, 1)])));
        }
        assert_eq!(all.len(), 1, "{all:?}");
        let f = &all[0];
        assert_eq!(f.chain, "PREROUTING");
        assert_eq!(f.count, DEFAULT_THRESHOLD);
        let names = [f.process.name.as_str(), f.rival.name.as_str()];
        assert!(names.contains(&"writer-a") && names.contains(&"writer-b"));
        // A new episode after a quiet window is reported again.
        let later = t0 + Duration::from_secs(120);
        let mut again = Vec::new();
        for i in 0..4u64 {
            let at = later + Duration::from_millis(200 * i);
            again.extend(d.observe(at, &txn("writer-a", 1, vec![rule_event(true, 1)])));
            again.extend(d.observe(at, &txn("writer-b", 2, vec![rule_event(false, 1)])));
        }
        assert_eq!(again.len(), 1);
    }

    #[test]
    fn one_process_churning_alone_is_no_fight() {
        let mut d = FightDetector::new(Duration::from_secs(30));
        let t0 = Instant::now();
        for i in 0..20u64 {
            let at = t0 + Duration::from_millis(100 * i);
            let f = d.observe(
                at,
                &txn(
                    "writer-a",
                    1,
                    vec![rule_event(false, 1), rule_event(true, 1)],
                ),
            );
            assert!(f.is_empty());
        }
    }

    #[test]
    fn changes_further_apart_than_the_window_are_no_fight() {
        let mut d = FightDetector::new(Duration::from_secs(1));
        let t0 = Instant::now();
        for i in 0..10u64 {
            let at = t0 + Duration::from_secs(5 * i);
            let name = if i % 2 == 0 { "writer-a" } else { "writer-b" };
            let ev = rule_event(i % 2 == 0, 1);
            assert!(d.observe(at, &txn(name, 1, vec![ev])).is_empty());
        }
    }

    #[test]
    fn two_processes_moving_their_rules_to_the_head() {
        let mut d = FightDetector::new(Duration::from_secs(30));
        let t0 = Instant::now();
        let mut all = Vec::new();
        for i in 0..6u64 {
            let at = t0 + Duration::from_millis(100 * i);
            let (name, port) = if i % 2 == 0 {
                ("calico", 1)
            } else {
                ("kube-ovn", 2)
            };
            let ev = vec![rule_event(false, port), rule_event(true, port)];
            all.extend(d.observe(at, &txn(name, 1, ev)));
        }
        assert_eq!(all.len(), 1, "{all:?}");
    }
}
