//! A fixed-width unsigned integer for the values nft prints: netlink data is
//! at most 64 bytes, so 512 bits (plus room for shifts) cover every value a
//! rule, set element or register can hold. Bits beyond the width are dropped
//! silently, so no operation can panic.

use std::cmp::Ordering;

/// Number of 64-bit limbs.
const LIMBS: usize = 9;
/// Width in bits.
pub const BITS: u32 = (LIMBS * 64) as u32;

/// An unsigned integer of [`BITS`] bits (limb 0 is the least significant).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Num([u64; LIMBS]);

impl std::fmt::Debug for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{}", self.to_hex())
    }
}

impl Num {
    /// Zero.
    pub const ZERO: Num = Num([0; LIMBS]);

    /// From a small value.
    pub fn from_u64(v: u64) -> Num {
        let mut n = Num::ZERO;
        n.0[0] = v;
        n
    }

    /// Import bytes as a big-endian number (nft's default import order).
    pub fn from_be(b: &[u8]) -> Num {
        let mut n = Num::ZERO;
        let take = b.len().min(LIMBS * 8);
        let b = &b[b.len() - take..];
        for (i, byte) in b.iter().rev().enumerate() {
            n.0[i / 8] |= (*byte as u64) << ((i % 8) * 8);
        }
        n
    }

    /// Import bytes as a little-endian (host order) number.
    pub fn from_le(b: &[u8]) -> Num {
        let mut n = Num::ZERO;
        for (i, byte) in b.iter().take(LIMBS * 8).enumerate() {
            n.0[i / 8] |= (*byte as u64) << ((i % 8) * 8);
        }
        n
    }

    /// The byte at little-endian position `i`.
    fn byte(&self, i: usize) -> u8 {
        if i >= LIMBS * 8 {
            return 0;
        }
        (self.0[i / 8] >> ((i % 8) * 8)) as u8
    }

    /// Export the low `len` bytes, big-endian.
    pub fn to_be(&self, len: usize) -> Vec<u8> {
        (0..len).rev().map(|i| self.byte(i)).collect()
    }

    /// Export the low `len` bytes, little-endian.
    pub fn to_le(&self, len: usize) -> Vec<u8> {
        (0..len).map(|i| self.byte(i)).collect()
    }

    /// The low 64 bits.
    pub fn low_u64(&self) -> u64 {
        self.0[0]
    }

    /// True when the value fits in 64 bits.
    pub fn fits_u64(&self) -> bool {
        self.0[1..].iter().all(|&l| l == 0)
    }

    /// True when zero.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    /// Test bit `n`.
    pub fn bit(&self, n: u32) -> bool {
        if n >= BITS {
            return false;
        }
        (self.0[(n / 64) as usize] >> (n % 64)) & 1 == 1
    }

    /// Set bit `n`.
    pub fn set_bit(&mut self, n: u32) {
        if n < BITS {
            self.0[(n / 64) as usize] |= 1 << (n % 64);
        }
    }

    /// A mask of the low `width` bits.
    pub fn mask(width: u32) -> Num {
        let mut n = Num::ZERO;
        let w = width.min(BITS);
        for i in 0..LIMBS {
            let lo = (i * 64) as u32;
            if w >= lo + 64 {
                n.0[i] = u64::MAX;
            } else if w > lo {
                n.0[i] = (1u64 << (w - lo)) - 1;
            }
        }
        n
    }

    /// Shift left by `s` bits.
    pub fn shl(&self, s: u32) -> Num {
        if s >= BITS {
            return Num::ZERO;
        }
        let (w, b) = ((s / 64) as usize, s % 64);
        let mut n = Num::ZERO;
        for i in (w..LIMBS).rev() {
            let mut v = self.0[i - w] << b;
            if b > 0 && i > w {
                v |= self.0[i - w - 1] >> (64 - b);
            }
            n.0[i] = v;
        }
        n
    }

    /// Shift right by `s` bits.
    pub fn shr(&self, s: u32) -> Num {
        if s >= BITS {
            return Num::ZERO;
        }
        let (w, b) = ((s / 64) as usize, s % 64);
        let mut n = Num::ZERO;
        for i in 0..LIMBS - w {
            let mut v = self.0[i + w] >> b;
            if b > 0 && i + w + 1 < LIMBS {
                v |= self.0[i + w + 1] << (64 - b);
            }
            n.0[i] = v;
        }
        n
    }

    /// Bitwise and.
    pub fn and(&self, o: &Num) -> Num {
        let mut n = *self;
        for i in 0..LIMBS {
            n.0[i] &= o.0[i];
        }
        n
    }

    /// Bitwise or.
    pub fn or(&self, o: &Num) -> Num {
        let mut n = *self;
        for i in 0..LIMBS {
            n.0[i] |= o.0[i];
        }
        n
    }

    /// Bitwise xor.
    pub fn xor(&self, o: &Num) -> Num {
        let mut n = *self;
        for i in 0..LIMBS {
            n.0[i] ^= o.0[i];
        }
        n
    }

    /// Wrapping addition.
    pub fn add(&self, o: &Num) -> Num {
        let mut n = Num::ZERO;
        let mut carry = 0u64;
        for i in 0..LIMBS {
            let (a, c1) = self.0[i].overflowing_add(o.0[i]);
            let (b, c2) = a.overflowing_add(carry);
            n.0[i] = b;
            carry = (c1 as u64) + (c2 as u64);
        }
        n
    }

    /// Wrapping subtraction.
    pub fn sub(&self, o: &Num) -> Num {
        let mut n = Num::ZERO;
        let mut borrow = 0u64;
        for i in 0..LIMBS {
            let (a, b1) = self.0[i].overflowing_sub(o.0[i]);
            let (b, b2) = a.overflowing_sub(borrow);
            n.0[i] = b;
            borrow = (b1 as u64) + (b2 as u64);
        }
        n
    }

    /// Index of the first set bit at or above `from`, if any.
    pub fn scan1(&self, from: u32) -> Option<u32> {
        (from..BITS).find(|&i| self.bit(i))
    }

    /// Index of the first clear bit at or above `from` (gmp semantics: a
    /// non-negative number always has one).
    pub fn scan0(&self, from: u32) -> u32 {
        (from..BITS).find(|&i| !self.bit(i)).unwrap_or(BITS)
    }

    /// Number of set bits.
    pub fn popcount(&self) -> u32 {
        self.0.iter().map(|l| l.count_ones()).sum()
    }

    /// Number of significant bits (0 for zero).
    pub fn bit_len(&self) -> u32 {
        for i in (0..LIMBS).rev() {
            if self.0[i] != 0 {
                return i as u32 * 64 + 64 - self.0[i].leading_zeros();
            }
        }
        0
    }

    /// Reinterpret the low `len` bytes in the other byte order (nft's
    /// `mpz_switch_byteorder`).
    pub fn switch_byteorder(&self, len: usize) -> Num {
        Num::from_le(&self.to_be(len))
    }

    /// Lower-case hexadecimal without prefix ("0" for zero).
    pub fn to_hex(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut s = String::new();
        let mut started = false;
        for i in (0..LIMBS).rev() {
            if started {
                s.push_str(&format!("{:016x}", self.0[i]));
            } else if self.0[i] != 0 {
                s.push_str(&format!("{:x}", self.0[i]));
                started = true;
            }
        }
        s
    }

    /// Decimal.
    pub fn to_dec(&self) -> String {
        if self.fits_u64() {
            return self.0[0].to_string();
        }
        let mut digits = Vec::new();
        let mut n = *self;
        while !n.is_zero() {
            let mut rem: u128 = 0;
            for i in (0..LIMBS).rev() {
                let cur = (rem << 64) | n.0[i] as u128;
                n.0[i] = (cur / 10) as u64;
                rem = cur % 10;
            }
            digits.push(b'0' + rem as u8);
        }
        digits.reverse();
        String::from_utf8(digits).unwrap_or_default()
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in (0..LIMBS).rev() {
            match self.0[i].cmp(&other.0[i]) {
                Ordering::Equal => continue,
                o => return o,
            }
        }
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        let n = Num::from_be(&[0x0a, 0x00, 0x00, 0x01]);
        assert_eq!(n.low_u64(), 0x0a000001);
        assert_eq!(n.to_be(4), vec![0x0a, 0, 0, 1]);
        assert_eq!(n.switch_byteorder(4).low_u64(), 0x0100000a);
        assert_eq!(Num::mask(8).low_u64(), 0xff);
        assert_eq!(Num::from_u64(1).shl(100).shr(100).low_u64(), 1);
        assert_eq!(Num::from_u64(0xf0).scan1(0), Some(4));
        assert_eq!(Num::from_u64(0xf0).scan0(4), 8);
        assert_eq!(Num::from_u64(5).sub(&Num::from_u64(6)).bit_len(), BITS);
        assert_eq!(Num::from_u64(1).shl(70).to_dec(), "1180591620717411303424");
        assert_eq!(Num::from_u64(1).shl(70).to_hex(), "400000000000000000");
    }
}
