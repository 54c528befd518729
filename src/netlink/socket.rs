//! The NETLINK_NETFILTER socket: requests, dumps and atomic batches, with
//! replies matched to requests by sequence number.

use super::message::{split, NfMsg, RawNlMsg};
use crate::consts::{self, msg, NLMSG_DONE, NLMSG_ERROR};
use crate::error::{Error, Result, ERESTART};
use crate::nla::{AttrIter, Writer};
use bytes::Bytes;
use netlink_packet_core::{NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST};
use netlink_sys::{Socket, SocketAddr};
use std::os::fd::AsRawFd;

/// Receive buffer requested from the kernel (events and error floods).
const RCVBUF: usize = 32 << 20;
/// How often a dump interrupted by a concurrent change is retried.
pub const DUMP_RETRIES: usize = 32;

/// One operation of a batch: the message plus the names used when reporting
/// its failure (`op` like `RULE_APPEND`, `what` like `rule in chain INPUT`).
#[derive(Clone, Debug)]
pub struct BatchOp {
    /// The message (its seq is assigned when sent).
    pub msg: NfMsg,
    /// Operation name for errors.
    pub op: String,
    /// Object description for errors.
    pub what: String,
}

/// What a successful batch returned: echoed messages (with handles) per op.
#[derive(Debug, Default)]
pub struct BatchReply {
    /// For each op (by index), the messages the kernel echoed for it (ops
    /// sent with `NLM_F_ECHO` in their flags get the created object back,
    /// with its handle).
    pub echoes: Vec<Vec<NfMsg>>,
    /// The generation the batch committed, when the kernel reported it (its
    /// `NEWGEN` notification comes back when an op asked for an echo).
    pub generation: Option<u32>,
}

/// Where the kernel said the last failed batch failed (see
/// [`Conn::last_error_at`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErrorAt {
    /// Index into the batch's ops of the message the error was reported
    /// for (`None`: the batch as a whole).
    pub op: Option<usize>,
    /// Byte offset, in that message's body (its attribute stream), of the
    /// attribute the kernel's extended ack points at
    /// (`NLMSGERR_ATTR_OFFS`), when it sent one.
    pub body_offset: Option<usize>,
}

/// One message of a failed batch that the kernel refused (see
/// [`Conn::last_errors`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchFailure {
    /// Which message, and which of its attributes.
    pub at: ErrorAt,
    /// The error (positive errno).
    pub errno: i32,
    /// The kernel's extended ack message, when it sent one.
    pub ext_msg: Option<String>,
}

/// A NETLINK_NETFILTER connection.
pub struct Conn {
    sock: Socket,
    seq: u32,
    portid: u32,
    /// Every message the kernel refused in the last batch, in the order
    /// of its acks.
    last_errors: Vec<BatchFailure>,
    /// Where datagrams are received (messages are slices of it).
    rx: super::chunks::RecvChunks,
}

fn set_buf_force(fd: i32, force: libc_opt::Opt, plain: libc_opt::Opt, size: usize) {
    let v = size as i32;
    // SAFETY: plain setsockopt with a valid fd and an int option value.
    let r = unsafe { libc_opt::setsockopt_int(fd, force, v) };
    if r != 0 {
        unsafe {
            libc_opt::setsockopt_int(fd, plain, v);
        }
    }
}

/// Minimal setsockopt bindings for the buffer options nix does not expose
/// with force variants on every version.
mod libc_opt {
    #[derive(Clone, Copy)]
    pub struct Opt(pub i32);
    pub const SO_SNDBUF: Opt = Opt(7);
    pub const SO_RCVBUF: Opt = Opt(8);
    pub const SO_SNDBUFFORCE: Opt = Opt(32);
    pub const SO_RCVBUFFORCE: Opt = Opt(33);
    const SOL_SOCKET: i32 = 1;
    extern "C" {
        fn setsockopt(
            fd: i32,
            level: i32,
            name: i32,
            val: *const core::ffi::c_void,
            len: u32,
        ) -> i32;
    }
    /// # Safety
    /// `fd` must be an open socket.
    pub unsafe fn setsockopt_int(fd: i32, opt: Opt, v: i32) -> i32 {
        setsockopt(
            fd,
            SOL_SOCKET,
            opt.0,
            &v as *const i32 as *const core::ffi::c_void,
            4,
        )
    }
}

impl Conn {
    /// Open and bind a socket in the current network namespace.
    pub fn open() -> Result<Conn> {
        let mut sock = Socket::new(consts::NETLINK_NETFILTER)?;
        let addr = sock.bind_auto()?;
        let _ = sock.set_ext_ack(true);
        let _ = sock.set_cap_ack(true);
        set_buf_force(
            sock.as_raw_fd(),
            libc_opt::SO_RCVBUFFORCE,
            libc_opt::SO_RCVBUF,
            RCVBUF,
        );
        let seq = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        Ok(Conn {
            sock,
            seq,
            portid: addr.port_number(),
            last_errors: Vec::new(),
            rx: Default::default(),
        })
    }

    /// Subscribe to nf_tables events (for monitoring).
    pub fn subscribe(&mut self) -> Result<()> {
        self.sock.add_membership(consts::NFNLGRP_NFTABLES)?;
        Ok(())
    }

    /// Join any nfnetlink multicast group (`NFNLGRP_*`, e.g. conntrack
    /// events).
    pub fn join_group(&mut self, group: u32) -> Result<()> {
        self.sock.add_membership(group)?;
        Ok(())
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        if self.seq == 0 {
            self.seq = 1;
        }
        self.seq
    }

    fn send_bytes(&mut self, b: &[u8]) -> Result<()> {
        let kernel = SocketAddr::new(0, 0);
        self.sock.send_to(b, &kernel, 0)?;
        Ok(())
    }

    /// Receive one datagram and split it into messages.
    pub fn recv_msgs(&mut self) -> Result<Vec<RawNlMsg>> {
        loop {
            match self.sock.recv(self.rx.room(), 0) {
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            }
        }
        let chunk = self.rx.take();
        split(&chunk).map_err(Error::Protocol)
    }

    /// Send a single request with ACK and collect its reply messages.
    pub fn request(&mut self, mut m: NfMsg) -> Result<Vec<NfMsg>> {
        if let Err(e) = crate::nla::check_lengths(&m.body) {
            return Err(Error::Input(format!(
                "{} cannot be sent: {e}",
                op_name(m.msg())
            )));
        }
        m.seq = self.next_seq();
        m.flags |= NLM_F_REQUEST | NLM_F_ACK;
        self.send_bytes(&m.to_vec())?;
        let seq = m.seq;
        let mut out = Vec::new();
        loop {
            for r in self.recv_msgs()? {
                if r.seq != seq || r.pid != self.portid && r.pid != 0 {
                    continue;
                }
                if r.ty == NLMSG_ERROR {
                    let (errno, ext) = parse_error(&r);
                    if errno == 0 {
                        return Ok(out);
                    }
                    return Err(kernel_error(errno, op_name(m.msg()), String::new(), ext));
                }
                if r.ty == NLMSG_DONE {
                    return Ok(out);
                }
                if let Some(nf) = r.to_nf() {
                    out.push(nf);
                }
            }
        }
    }

    /// The current ruleset generation id (`NFT_MSG_GETGEN`).
    pub fn generation(&mut self) -> Result<u32> {
        let m = NfMsg::nft(msg::GETGEN, 0, 0, Vec::new());
        let replies = self.request(m).map_err(|e| match e {
            Error::Kernel { errno: 1, .. } | Error::Kernel { errno: 13, .. } => Error::Permission(
                "Could not fetch rule set generation id: Permission denied (you must be root)"
                    .into(),
            ),
            other => other,
        })?;
        for r in replies {
            if r.msg() == msg::NEWGEN {
                for a in AttrIter::new(r.body.clone()) {
                    if a.kind() == 1 {
                        if let Some(id) = <u32 as crate::nla::Attribute>::decode(&a.payload) {
                            return Ok(id);
                        }
                    }
                }
            }
        }
        Err(Error::Protocol("no generation id in GETGEN reply".into()))
    }

    /// Run one dump (`NLM_F_DUMP`) and return all messages. A dump that the
    /// kernel marks as interrupted (`NLM_F_DUMP_INTR`, the ruleset changed
    /// while it was read) is retried, up to [`DUMP_RETRIES`] times.
    pub fn dump(&mut self, msg_type: u16, family: u8, body: Vec<u8>) -> Result<Vec<NfMsg>> {
        let body = Bytes::from(body);
        for _ in 0..DUMP_RETRIES {
            match self.dump_once(msg_type, family, body.clone()) {
                Err(Error::GenerationChanged) => continue,
                other => return other,
            }
        }
        Err(Error::GenerationChanged)
    }

    fn dump_once(&mut self, msg_type: u16, family: u8, body: Bytes) -> Result<Vec<NfMsg>> {
        let mut out = Vec::new();
        self.dump_stream(msg_type, family, body, &mut |msgs| {
            out.extend(msgs.iter().filter_map(RawNlMsg::to_nf));
            true
        })?;
        Ok(out)
    }

    /// Run one dump, handing its data messages to `each` datagram by
    /// datagram as they arrive (so a caller can process a big dump while it
    /// is still being read). `each` returns false to stop early (Ok(false)
    /// then; late messages of the dump are skipped by later requests, which
    /// match replies by sequence number). A dump the kernel marks as
    /// interrupted gives [`Error::GenerationChanged`] (not retried here).
    pub fn dump_stream(
        &mut self,
        msg_type: u16,
        family: u8,
        body: Bytes,
        each: &mut dyn FnMut(Vec<RawNlMsg>) -> bool,
    ) -> Result<bool> {
        let ty = (consts::NFNL_SUBSYS_NFTABLES << 8) | msg_type;
        self.dump_subsys(ty, family, body, each)
    }

    /// [`Conn::dump_stream`] for any nfnetlink subsystem: `ty` is the full
    /// message type, `(subsystem << 8) | message` (e.g. ctnetlink's
    /// `IPCTNL_MSG_CT_GET`).
    pub fn dump_subsys(
        &mut self,
        ty: u16,
        family: u8,
        body: Bytes,
        each: &mut dyn FnMut(Vec<RawNlMsg>) -> bool,
    ) -> Result<bool> {
        let msg_type = ty & 0xff;
        let mut m = NfMsg::nft(0, NLM_F_REQUEST | NLM_F_DUMP, family, Vec::new());
        m.ty = ty;
        m.body = body;
        m.seq = self.next_seq();
        self.send_bytes(&m.to_vec())?;
        let seq = m.seq;
        let mut intr = false;
        loop {
            let mut data = Vec::new();
            let mut done = false;
            for r in self.recv_msgs()? {
                if r.seq != seq || done {
                    continue;
                }
                if r.flags & NLM_F_DUMP_INTR != 0 {
                    intr = true;
                }
                match r.ty {
                    NLMSG_DONE => done = true,
                    NLMSG_ERROR => {
                        let (errno, ext) = parse_error(&r);
                        if errno == 0 {
                            continue;
                        }
                        if errno == 4 || errno == 16 && intr {
                            return Err(Error::GenerationChanged);
                        }
                        let op = if ty >> 8 == consts::NFNL_SUBSYS_NFTABLES {
                            op_name(msg_type)
                        } else {
                            format!("nfnetlink message {ty:#06x}")
                        };
                        return Err(kernel_error(errno, op, String::new(), ext));
                    }
                    _ => data.push(r),
                }
            }
            if !data.is_empty() && !each(data) {
                return Ok(false);
            }
            if done {
                if intr {
                    return Err(Error::GenerationChanged);
                }
                return Ok(true);
            }
        }
    }

    /// Send `ops` as one atomic transaction. With `genid`, the kernel refuses
    /// the batch (and [`Error::GenerationChanged`] is returned) if the ruleset
    /// changed since that generation. On any error nothing is applied, and
    /// the first failing operation is reported.
    pub fn batch(&mut self, ops: &[BatchOp], genid: Option<u32>) -> Result<BatchReply> {
        self.last_errors.clear();
        // A body with an attribute too long for netlink (see
        // `nla::attr_len`) is refused here, naming its operation, rather
        // than sent cut short.
        for op in ops {
            if let Err(e) = crate::nla::check_lengths(&op.msg.body) {
                return Err(Error::Input(format!(
                    "{} cannot be sent: {}: {e}",
                    op.op, op.what
                )));
            }
        }
        let mut w =
            Writer::with_capacity(64 + ops.iter().map(|o| o.msg.body.len() + 24).sum::<usize>());
        let begin_seq = self.next_seq();
        let mut begin_body = Writer::new();
        if let Some(g) = genid {
            begin_body.put(consts::NFNL_BATCH_GENID, &g);
        }
        let begin = NfMsg {
            ty: consts::NFNL_MSG_BATCH_BEGIN,
            flags: NLM_F_REQUEST,
            seq: begin_seq,
            pid: 0,
            family: 0,
            version: 0,
            res_id: consts::NFNL_SUBSYS_NFTABLES,
            body: Bytes::from(begin_body.buf),
        };
        begin.write(&mut w);
        let first = begin_seq.wrapping_add(1);
        for op in ops {
            let mut m = op.msg.clone();
            m.seq = self.next_seq();
            m.flags |= NLM_F_REQUEST;
            m.write(&mut w);
        }
        let end = NfMsg {
            ty: consts::NFNL_MSG_BATCH_END,
            flags: NLM_F_REQUEST,
            seq: self.next_seq(),
            pid: 0,
            family: 0,
            version: 0,
            res_id: consts::NFNL_SUBSYS_NFTABLES,
            body: Bytes::new(),
        };
        end.write(&mut w);
        set_buf_force(
            self.sock.as_raw_fd(),
            libc_opt::SO_SNDBUFFORCE,
            libc_opt::SO_SNDBUF,
            (w.buf.len() + 4096).max(1 << 16),
        );
        self.send_bytes(&w.buf)?;

        // The kernel processes the batch synchronously inside sendmsg, so
        // every error or echo is queued by now. A GETGEN request with ACK
        // afterwards marks the end of the replies: read up to its ack.
        let mut sync = NfMsg::nft(msg::GETGEN, NLM_F_REQUEST | NLM_F_ACK, 0, Vec::new());
        sync.seq = self.next_seq();
        let sync_seq = sync.seq;
        self.send_bytes(&sync.to_vec())?;

        let mut reply = BatchReply {
            echoes: vec![Vec::new(); ops.len()],
            generation: None,
        };
        let mut first_err: Option<Error> = None;
        let mut restart = false;
        let idx_of = |seq: u32| -> Option<usize> {
            let i = seq.wrapping_sub(first) as usize;
            (i < ops.len()).then_some(i)
        };
        'outer: loop {
            for r in self.recv_msgs()? {
                if r.seq == sync_seq {
                    if r.ty == NLMSG_ERROR || r.ty == NLMSG_DONE {
                        break 'outer;
                    }
                    continue;
                }
                if r.ty == NLMSG_ERROR {
                    let (errno, ext) = parse_error(&r);
                    if errno == 0 {
                        continue;
                    }
                    if errno == ERESTART {
                        restart = true;
                        continue;
                    }
                    // The kernel goes on checking the rest of a failed
                    // batch and acks each message it refuses: all are kept.
                    self.last_errors.push(BatchFailure {
                        at: ErrorAt {
                            op: idx_of(r.seq),
                            body_offset: error_offset(&r),
                        },
                        errno,
                        ext_msg: ext.clone(),
                    });
                    if first_err.is_none() {
                        let (op, what) = match idx_of(r.seq) {
                            Some(i) => (ops[i].op.clone(), ops[i].what.clone()),
                            None => ("BATCH".to_string(), String::new()),
                        };
                        first_err = Some(kernel_error(errno, op, what, ext));
                    }
                    continue;
                }
                if let (Some(i), Some(nf)) = (idx_of(r.seq), r.to_nf()) {
                    if nf.subsys() == consts::NFNL_SUBSYS_NFTABLES && nf.msg() == msg::NEWGEN {
                        reply.generation =
                            crate::object::GenAttrs::parse(&nf.body).and_then(|g| g.id);
                    } else {
                        reply.echoes[i].push(nf);
                    }
                }
            }
        }
        if restart {
            return Err(Error::GenerationChanged);
        }
        if let Some(e) = first_err {
            return Err(e);
        }
        Ok(reply)
    }
}

impl Conn {
    /// Where the kernel said the last batch sent on this connection failed:
    /// which message, and which attribute of it when the kernel's extended
    /// ack points at one. `None` when it did not fail.
    pub fn last_error_at(&self) -> Option<ErrorAt> {
        self.last_errors.first().map(|f| f.at)
    }

    /// Every message the kernel refused in the last batch sent on this
    /// connection, in the order it reported them (the first is the one
    /// [`Conn::batch`] returned and [`Conn::last_error_at`] points at).
    /// Empty when it did not fail, or failed before reaching the kernel.
    pub fn last_errors(&self) -> &[BatchFailure] {
        &self.last_errors
    }
}

/// Size of `struct nlmsghdr` plus `struct nfgenmsg`: where a message's
/// attribute body starts.
const BODY_START: usize = 16 + 4;

/// The body offset an `NLMSG_ERROR` reply's `NLMSGERR_ATTR_OFFS` points at
/// (the kernel counts from the start of the failing message).
fn error_offset(r: &RawNlMsg) -> Option<usize> {
    let p = &r.payload;
    if r.flags & 0x200 == 0 || p.len() < 4 + 16 {
        return None;
    }
    let inner_len = u32::from_ne_bytes([p[4], p[5], p[6], p[7]]) as usize;
    let skip = 4 + if r.flags & 0x100 != 0 {
        16
    } else {
        crate::nla::align(inner_len)
    };
    if skip > p.len() {
        return None;
    }
    AttrIter::new(p.slice(skip..))
        .find(|a| a.kind() == NLMSGERR_ATTR_OFFS)
        .and_then(|a| <u32 as crate::nla::Attribute>::decode(&a.payload))
        .and_then(|o| usize::try_from(u32::from_be(o)).ok())
        .and_then(|o| o.checked_sub(BODY_START))
}

/// `NLMSGERR_ATTR_OFFS`: offset of the offending attribute.
const NLMSGERR_ATTR_OFFS: u16 = 2;

fn kernel_error(errno: i32, op: String, what: String, ext: Option<String>) -> Error {
    if errno == ERESTART {
        return Error::GenerationChanged;
    }
    Error::Kernel {
        errno,
        op,
        what,
        ext_msg: ext,
    }
}

/// Parse an `NLMSG_ERROR` payload: (positive errno or 0, extended ack text).
fn parse_error(r: &RawNlMsg) -> (i32, Option<String>) {
    let p = &r.payload;
    if p.len() < 4 {
        return (0, None);
    }
    let err = i32::from_ne_bytes([p[0], p[1], p[2], p[3]]);
    let mut ext = None;
    // NLM_F_ACK_TLVS: TLVs follow the echoed request header (capped).
    if r.flags & 0x200 != 0 && p.len() >= 4 + 16 {
        let inner_len = u32::from_ne_bytes([p[4], p[5], p[6], p[7]]) as usize;
        let capped = r.flags & 0x100 != 0;
        let skip = 4 + if capped {
            16
        } else {
            crate::nla::align(inner_len)
        };
        if skip <= p.len() {
            for a in AttrIter::new(p.slice(skip..)) {
                if a.kind() == 1 {
                    ext = <String as crate::nla::Attribute>::decode(&a.payload);
                }
            }
        }
    }
    (-err, ext)
}

/// The libnftnl-style name of a request type for error messages.
pub fn op_name(m: u16) -> String {
    msg::name(m).to_string()
}
