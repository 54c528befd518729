//! The ownership tag a reconciler puts into the rules it manages.
//!
//! nf_tables stores `NFTA_RULE_USERDATA` verbatim and never interprets it;
//! nft, libnftnl and iptables-nft use it as a list of TLVs, each
//! `type:u8 | len:u8 | value[len]`:
//!
//! | type | user | value |
//! |---|---|---|
//! | 0 | nft, iptables-nft | comment, NUL-terminated |
//! | 1 | nft, iptables-nft (ebtables) | policy |
//! | 2 | iptables-nft ≥ 1.8.11 | compat extension data |
//! | [`UDATA_TAG`] (0x6e, `'n'`) | nftwire | the ownership tag below |
//!
//! Both nft and iptables-nft skip TLV types they do not know, so a managed
//! rule keeps its comment visible in `nft list ruleset` and
//! `iptables-nft -S`, and the tag is invisible to them.
//!
//! The tag's value is:
//!
//! ```text
//! "nfw1" | owner_len:u8 | owner[owner_len] | key_len:u8 | key[key_len]
//! ```
//!
//! `owner` (1 to [`MAX_OWNER_LEN`] bytes of `[A-Za-z0-9_.:-]`) names the
//! controller that manages the rule; `key` (1 to [`MAX_KEY_LEN`] printable
//! ASCII bytes, no space) is the rule's stable identity within that owner's
//! rules. A managed rule's userdata is the comment TLV (if any) followed by
//! the tag TLV; with the limits above it always fits the kernel's 256-byte
//! userdata limit. A TLV of type 0x6e whose value does not start with the
//! magic `nfw1` or is malformed is not a tag, and the rule is foreign.

use crate::error::{Error, Result};
use crate::object::Rule;

/// TLV type of the ownership tag in rule userdata.
pub const UDATA_TAG: u8 = 0x6e;
/// TLV type of nft's rule comment.
pub const UDATA_COMMENT: u8 = 0;
/// Magic (and format version) at the start of the tag's value.
pub const TAG_MAGIC: &[u8; 4] = b"nfw1";
/// Longest owner name, in bytes.
pub const MAX_OWNER_LEN: usize = 32;
/// Longest rule key, in bytes.
pub const MAX_KEY_LEN: usize = 64;
/// Longest comment, in bytes (nft's limit; without the trailing NUL).
pub const MAX_COMMENT_LEN: usize = 128;

/// Who manages a rule and under which key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    /// The managing controller's name.
    pub owner: String,
    /// The rule's stable key among that owner's rules.
    pub key: String,
}

/// Check an owner name.
pub fn check_owner(owner: &str) -> Result<()> {
    let ok = !owner.is_empty()
        && owner.len() <= MAX_OWNER_LEN
        && owner
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_.:-".contains(&c));
    if ok {
        Ok(())
    } else {
        Err(Error::Input(format!(
            "invalid owner {owner:?}: 1 to {MAX_OWNER_LEN} characters of A-Z a-z 0-9 _ . : -"
        )))
    }
}

/// Check a rule key.
pub fn check_key(key: &str) -> Result<()> {
    let ok =
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(Error::Input(format!(
            "invalid rule key {key:?}: 1 to {MAX_KEY_LEN} printable ASCII characters without spaces"
        )))
    }
}

/// Check a comment (nft's rules: at most 128 bytes, no NUL).
pub fn check_comment(c: &str) -> Result<()> {
    if c.len() > MAX_COMMENT_LEN || c.contains('\0') {
        return Err(Error::Input(format!(
            "invalid comment {c:?}: at most {MAX_COMMENT_LEN} bytes, no NUL"
        )));
    }
    Ok(())
}

impl Tag {
    /// A tag, validated.
    pub fn new(owner: &str, key: &str) -> Result<Tag> {
        check_owner(owner)?;
        check_key(key)?;
        Ok(Tag {
            owner: owner.to_string(),
            key: key.to_string(),
        })
    }

    /// The TLV value (magic, owner, key). Callers validate with
    /// [`Tag::new`]; overlong fields are truncated, never panicking.
    pub fn value(&self) -> Vec<u8> {
        let o = &self.owner.as_bytes()[..self.owner.len().min(MAX_OWNER_LEN)];
        let k = &self.key.as_bytes()[..self.key.len().min(MAX_KEY_LEN)];
        let mut v = Vec::with_capacity(6 + o.len() + k.len());
        v.extend_from_slice(TAG_MAGIC);
        v.push(o.len() as u8);
        v.extend_from_slice(o);
        v.push(k.len() as u8);
        v.extend_from_slice(k);
        v
    }

    /// Decode a TLV value; `None` unless it is exactly a well-formed tag.
    pub fn from_value(v: &[u8]) -> Option<Tag> {
        let rest = v.strip_prefix(TAG_MAGIC.as_slice())?;
        let (&ol, rest) = rest.split_first()?;
        let owner = rest.get(..ol as usize)?;
        let rest = &rest[ol as usize..];
        let (&kl, rest) = rest.split_first()?;
        let key = rest.get(..kl as usize)?;
        if rest.len() != kl as usize {
            return None;
        }
        let t = Tag {
            owner: std::str::from_utf8(owner).ok()?.to_string(),
            key: std::str::from_utf8(key).ok()?.to_string(),
        };
        (check_owner(&t.owner).is_ok() && check_key(&t.key).is_ok()).then_some(t)
    }

    /// The tag in nft-style userdata: the first well-formed tag TLV.
    pub fn from_userdata(u: &[u8]) -> Option<Tag> {
        let mut i = 0usize;
        while i + 2 <= u.len() {
            let ty = u[i];
            let len = u[i + 1] as usize;
            let val = u.get(i + 2..i + 2 + len)?;
            if ty == UDATA_TAG {
                if let Some(t) = Tag::from_value(val) {
                    return Some(t);
                }
            }
            i += 2 + len;
        }
        None
    }

    /// The tag of a rule, if it is managed by a reconciler.
    pub fn of_rule(r: &Rule) -> Option<Tag> {
        Tag::from_userdata(r.attrs.userdata.as_deref()?)
    }

    /// The rule userdata for this tag and an optional comment: the comment
    /// TLV (type 0, NUL-terminated, as nft writes it) then the tag TLV.
    pub fn userdata(&self, comment: Option<&str>) -> Result<Vec<u8>> {
        check_owner(&self.owner)?;
        check_key(&self.key)?;
        let mut u = Vec::new();
        if let Some(c) = comment {
            check_comment(c)?;
            u.push(UDATA_COMMENT);
            u.push((c.len() + 1) as u8);
            u.extend_from_slice(c.as_bytes());
            u.push(0);
        }
        let v = self.value();
        u.push(UDATA_TAG);
        u.push(v.len() as u8);
        u.extend_from_slice(&v);
        Ok(u)
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_with_comment() {
        let t = Tag::new("calico", "web-80").unwrap();
        let u = t.userdata(Some("hello")).unwrap();
        assert_eq!(Tag::from_userdata(&u), Some(t.clone()));
        assert_eq!(
            crate::object::rule::udata_comment(&u, 0).as_deref(),
            Some("hello")
        );
        let u = t.userdata(None).unwrap();
        assert_eq!(Tag::from_userdata(&u), Some(t));
    }

    #[test]
    fn longest_fits_kernel_limit() {
        let t = Tag::new(&"o".repeat(MAX_OWNER_LEN), &"k".repeat(MAX_KEY_LEN)).unwrap();
        let u = t.userdata(Some(&"c".repeat(MAX_COMMENT_LEN))).unwrap();
        assert!(u.len() <= 256);
        assert_eq!(Tag::from_userdata(&u), Some(t));
    }

    #[test]
    fn garbage_is_not_a_tag() {
        for u in [
            &b""[..],
            &[0x6e][..],
            &[0x6e, 3, b'n', b'f', b'w'][..],
            &[0x6e, 6, b'n', b'f', b'w', b'1', 9, b'x'][..],
            &[0x6e, 9, b'n', b'f', b'w', b'1', 1, b'a', 1, b'b', 0][..],
            &[0x6e, 8, b'n', b'f', b'w', b'2', 1, b'a', 1, b'b'][..],
            &[0x6e, 8, b'n', b'f', b'w', b'1', 1, b'/', 1, b'b'][..],
            &[0, 200, 1][..],
        ] {
            assert_eq!(Tag::from_userdata(u), None, "{u:?}");
        }
        let ok = [0x6e, 8, b'n', b'f', b'w', b'1', 1, b'a', 1, b'b'];
        assert_eq!(Tag::from_userdata(&ok), Some(Tag::new("a", "b").unwrap()));
    }

    #[test]
    fn invalid_names_rejected() {
        assert!(Tag::new("", "k").is_err());
        assert!(Tag::new("a b", "k").is_err());
        assert!(Tag::new("a/b", "k").is_err());
        assert!(Tag::new("a", "with space").is_err());
        assert!(Tag::new("a", &"k".repeat(MAX_KEY_LEN + 1)).is_err());
        let t = Tag::new("a", "k").unwrap();
        assert!(t.userdata(Some("nul\0inside")).is_err());
    }
}
