//! Output options (nft's `output_ctx` flags).

/// What `nftwire list` was asked to print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Octx {
    /// `-a`: print handles.
    pub handle: bool,
    /// Protocol numbers instead of names.
    pub numeric_proto: bool,
    /// Chain priorities as numbers.
    pub numeric_prio: bool,
    /// Symbolic constants as numbers.
    pub numeric_symbol: bool,
    /// Times in seconds.
    pub numeric_time: bool,
    /// Omit counters/quota usage (`-s`).
    pub stateless: bool,
    /// Omit set elements (`-t`).
    pub terse: bool,
}

impl Octx {
    /// `-n`: all numeric flags.
    pub fn numeric(mut self) -> Octx {
        self.numeric_proto = true;
        self.numeric_prio = true;
        self.numeric_symbol = true;
        self.numeric_time = true;
        self
    }
}
