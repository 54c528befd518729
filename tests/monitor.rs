//! The monitor decodes the events of a transaction made in the same netns.

mod common;

use nftwire::monitor::{EventObject, Monitor};

#[test]
fn sees_table_chain_rule_and_generation() {
    common::netns(|| {
        let mut mon = Monitor::open().expect("subscribe");
        common::nft_load(
            "table ip mon {\n chain c {\n ip saddr 10.0.0.1 counter accept comment \"x\"\n }\n}\n",
        );
        let mut seen = Vec::new();
        while !seen
            .iter()
            .any(|e: &nftwire::monitor::Event| matches!(e.object, EventObject::Generation(_)))
        {
            seen.extend(mon.next_events().expect("events"));
        }
        let table = seen.iter().find_map(|e| match &e.object {
            EventObject::Table(t) if e.added => Some(t.name().to_string()),
            _ => None,
        });
        assert_eq!(table.as_deref(), Some("mon"));
        let rule = seen
            .iter()
            .find_map(|e| match &e.object {
                EventObject::Rule(r) if e.added => Some(r.clone()),
                _ => None,
            })
            .expect("rule event");
        assert_eq!(rule.chain(), "c");
        assert_eq!(rule.comment().as_deref(), Some("x"));
        assert!(rule.exprs().iter().all(|e| !e.is_raw()));
        assert!(seen
            .iter()
            .any(|e| matches!(e.object, EventObject::Chain(_)) && e.added));
    });
}
