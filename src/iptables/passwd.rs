//! User and group names as the C library resolves them from the static
//! files (`/etc/passwd`, `/etc/group`), for the owner match. Read once; a
//! missing file is an empty table.

use std::sync::OnceLock;

fn table(path: &str, cell: &'static OnceLock<Vec<(String, u32)>>) -> &'static [(String, u32)] {
    cell.get_or_init(|| {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?.to_string();
                let _pw = f.next()?;
                let id = f.next()?.parse().ok()?;
                (!name.is_empty() && !name.starts_with('#')).then_some((name, id))
            })
            .collect()
    })
}

fn users() -> &'static [(String, u32)] {
    static U: OnceLock<Vec<(String, u32)>> = OnceLock::new();
    table("/etc/passwd", &U)
}

fn groups() -> &'static [(String, u32)] {
    static G: OnceLock<Vec<(String, u32)>> = OnceLock::new();
    table("/etc/group", &G)
}

/// `getpwnam`.
pub fn uid_by_name(n: &str) -> Option<u32> {
    users().iter().find(|(u, _)| u == n).map(|x| x.1)
}

/// `getpwuid`.
pub fn user_by_uid(id: u32) -> Option<&'static str> {
    users().iter().find(|(_, i)| *i == id).map(|x| x.0.as_str())
}

/// `getgrnam`.
pub fn gid_by_name(n: &str) -> Option<u32> {
    groups().iter().find(|(g, _)| g == n).map(|x| x.1)
}

/// `getgrgid`.
pub fn group_by_gid(id: u32) -> Option<&'static str> {
    groups()
        .iter()
        .find(|(_, i)| *i == id)
        .map(|x| x.0.as_str())
}
