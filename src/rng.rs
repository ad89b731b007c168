//! The pseudo-random generator production behaviour depends on: each server's highlight order
//! (`highlights::rotation`) and `/random`. It is SplitMix64 (Steele, Lea and Flood, 2014; the
//! constants of Vigna's reference `splitmix64.c`), fixed here and pinned by tests, because a
//! server's stored seed must give the same order after every deploy. Benchmark and test data
//! (`synthetic`) may use it too, but nothing they need may change it.

/// SplitMix64: one 64-bit state, a Weyl sequence mixed by two multiply-xorshift rounds.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`). Plain modulo: the bias is below n / 2^64, far under
    /// anything a catalog's size could show, and changing it would reshuffle every rotation.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_splitmix64() {
        // The reference implementation's first outputs from state 0.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn outputs_are_pinned() {
        let mut r = SplitMix64::new(2026);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(got, [15_824_617_304_438_902_051, 8_699_989_649_721_214_301, 12_310_341_597_754_734_734]);
        // `/random` draws with `below`.
        let mut r = SplitMix64::new(7);
        let below: Vec<usize> = (0..8).map(|_| r.below(25)).collect();
        assert_eq!(below, [12, 4, 21, 3, 24, 5, 23, 7]);
    }
}
