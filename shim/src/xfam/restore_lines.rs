//! The input lines of `arptables-restore` and `ebtables-restore`, read as
//! iptables' restore reads them: in pieces of at most 10,239 bytes, each
//! a line of its own, so memory stays bounded by one piece; and the
//! `:CHAIN POLICY` lines both tools read alike.

use crate::run::fail;
use nftwire::iptables::IptError;
use std::io::BufRead;

/// The lines of a restore input that say something (empty lines and
/// `#` comments are skipped), each without its `\n` or `\r\n`, numbered
/// as iptables numbers them (skipped lines counted).
pub struct RestoreLines<R> {
    input: R,
    bytes: Vec<u8>,
    text: String,
    line: usize,
}

impl<R: BufRead> RestoreLines<R> {
    /// Lines of `input`.
    pub fn new(input: R) -> Self {
        Self {
            input,
            bytes: Vec::new(),
            text: String::new(),
            line: 0,
        }
    }

    /// The next line with its number, or `None` at the end of input or on
    /// a read error (both end the input, as for iptables).
    pub fn next_line(&mut self) -> Option<(usize, &str)> {
        loop {
            match crate::restore::read_piece(&mut self.input, &mut self.bytes) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            self.line += 1;
            self.text.clear();
            self.text.push_str(&String::from_utf8_lossy(&self.bytes));
            let raw = self.text.strip_suffix('\n').unwrap_or(&self.text);
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let len = raw.len();
            return Some((self.line, &self.text[..len]));
        }
    }
}

/// A `:CHAIN POLICY` line of table input (`rest` after the `:`, line
/// number `line`): the chain name, checked by the tool's `valid`, and the
/// policy word; or, with the error printed, the exit status.
pub fn chain_line(
    prog: &str,
    line: usize,
    rest: &str,
    valid: fn(&str) -> nftwire::iptables::Result<()>,
) -> Result<(String, String), i32> {
    let mut w = rest.split_whitespace();
    let Some(name) = w.next() else {
        let e = IptError::param(format!("{prog}: line {line} chain name invalid"));
        return Err(fail(&e, prog, Some(line)));
    };
    if let Err(e) = valid(name) {
        return Err(fail(&e, prog, None));
    }
    let Some(policy) = w.next() else {
        let e = IptError::param(format!("{prog}: line {line} policy invalid"));
        return Err(fail(&e, prog, Some(line)));
    };
    Ok((name.to_string(), policy.to_string()))
}
