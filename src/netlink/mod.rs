//! Netlink transport: message framing and the socket.

pub mod chunks;
pub mod message;
pub mod parallel;
pub mod socket;
pub mod txn;

pub use message::NfMsg;
pub use socket::{BatchFailure, BatchOp, BatchReply, Conn, ErrorAt};
pub use txn::transact;
