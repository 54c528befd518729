//! Errors of the iptables model, carrying the exit status and the exact
//! message iptables-nft prints for them.

use std::fmt;

/// iptables' exit statuses (`enum xtables_exittype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// 1: the operation failed (rule not found, chain exists, ...).
    Other = 1,
    /// 2: bad command line.
    Parameter = 2,
    /// 3: unknown table, rule that cannot be parsed.
    Version = 3,
    /// 4: the kernel refused, or no permission.
    Resource = 4,
}

/// How the message is framed on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `PROG vVERSION: MSG` plus, for [`ExitCode::Parameter`], the
    /// `Try ...` line (after `Error occurred at line: N` in restore) and, for
    /// [`ExitCode::Version`], the `Perhaps ...` line (`xtables_error`).
    Xt,
    /// `PROG: MSG.` (a failed operation, `nft_strerror`).
    Op,
    /// The message as is, followed by the `Try ...` line (`exit_tryhelp`).
    TryHelp,
    /// The message as is.
    Plain,
}

/// An error with its exit status and iptables' wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IptError {
    /// Exit status.
    pub code: ExitCode,
    /// Framing.
    pub style: Style,
    /// The message, without program name and final newline.
    pub msg: String,
}

impl IptError {
    /// A parameter problem (`xtables_error(PARAMETER_PROBLEM, ...)`).
    pub fn param(msg: impl Into<String>) -> Self {
        IptError {
            code: ExitCode::Parameter,
            style: Style::Xt,
            msg: msg.into(),
        }
    }
    /// A version problem (`xtables_error(VERSION_PROBLEM, ...)`).
    pub fn version(msg: impl Into<String>) -> Self {
        IptError {
            code: ExitCode::Version,
            style: Style::Xt,
            msg: msg.into(),
        }
    }
    /// An `xtables_error` with another status.
    pub fn xt(code: ExitCode, msg: impl Into<String>) -> Self {
        IptError {
            code,
            style: Style::Xt,
            msg: msg.into(),
        }
    }
    /// A failed operation (`iptables: MSG.`, status 1).
    pub fn op(msg: impl Into<String>) -> Self {
        IptError {
            code: ExitCode::Other,
            style: Style::Op,
            msg: msg.into(),
        }
    }
    /// A raw message followed by the `Try ...` line, status 2.
    pub fn tryhelp(msg: impl Into<String>) -> Self {
        IptError {
            code: ExitCode::Parameter,
            style: Style::TryHelp,
            msg: msg.into(),
        }
    }

    /// The complete stderr text for program `prog` (e.g. `iptables`),
    /// version string `version` (e.g. `1.8.11 (nf_tables)`) and, in
    /// restore mode, the input line number.
    pub fn render(&self, prog: &str, version: &str, line: Option<usize>) -> String {
        let tryline = |out: &mut String| {
            if let Some(l) = line {
                out.push_str(&format!("Error occurred at line: {l}\n"));
            }
            out.push_str(&format!(
                "Try `{prog} -h' or '{prog} --help' for more information.\n"
            ));
        };
        let mut out = String::new();
        match self.style {
            Style::Xt => {
                out.push_str(&format!("{prog} v{version}: {}\n", self.msg));
                match self.code {
                    ExitCode::Parameter => tryline(&mut out),
                    ExitCode::Version => out.push_str(&format!(
                        "Perhaps {prog} or your kernel needs to be upgraded.\n"
                    )),
                    _ => {}
                }
            }
            Style::Op => out.push_str(&format!("{prog}: {}.\n", self.msg)),
            Style::TryHelp => {
                if !self.msg.is_empty() {
                    out.push_str(&self.msg);
                    out.push('\n');
                }
                tryline(&mut out);
            }
            Style::Plain => {
                out.push_str(&self.msg);
                if !self.msg.ends_with('\n') && !self.msg.is_empty() {
                    out.push('\n');
                }
            }
        }
        out
    }
}

impl fmt::Display for IptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for IptError {}

/// Result with [`IptError`].
pub type Result<T> = std::result::Result<T, IptError>;
