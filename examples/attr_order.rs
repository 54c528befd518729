//! Prints the attribute order the kernel uses in each dump (developer aid).
use nftwire::consts::msg;
use nftwire::netlink::Conn;
use nftwire::nla::AttrIter;

fn show(name: &str, body: &bytes::Bytes, depth: usize) {
    let v: Vec<String> = AttrIter::new(body.clone())
        .map(|a| format!("{}{}", a.kind(), if a.flags() != 0 { "*" } else { "" }))
        .collect();
    println!("{:indent$}{name}: {}", "", v.join(","), indent = depth * 2);
}

fn main() {
    let mut c = Conn::open().unwrap();
    for (n, t) in [
        ("table", msg::GETTABLE),
        ("chain", msg::GETCHAIN),
        ("rule", msg::GETRULE),
        ("set", msg::GETSET),
        ("obj", msg::GETOBJ),
        ("flowtable", msg::GETFLOWTABLE),
    ] {
        for m in c.dump(t, 0, Vec::new()).unwrap() {
            show(n, &m.body, 0);
            for a in AttrIter::new(m.body.clone()) {
                if a.kind() == 4 && n == "rule" {
                    for e in AttrIter::new(a.payload.clone()) {
                        let mut it = AttrIter::new(e.payload.clone());
                        let name = it.next().unwrap();
                        if let Some(d) = it.next() {
                            show(
                                &format!("  expr {:?}", String::from_utf8_lossy(&name.payload)),
                                &d.payload,
                                1,
                            );
                        }
                    }
                }
            }
        }
    }
}
