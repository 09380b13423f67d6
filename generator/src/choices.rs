//! Where a generator's decisions come from.

/// A source of decisions. 0 is always the simplest choice, so that proptest,
/// which shrinks numbers towards 0, shrinks formulas towards simple ones.
pub trait Choices {
    /// A number in `0..n`, for `n > 0`.
    fn below(&mut self, n: usize) -> usize;

    /// True once in `one_in` on average (never when the decisions are all 0).
    fn rare(&mut self, one_in: usize) -> bool {
        self.below(one_in) == one_in - 1
    }

    /// One of `items`, which must not be empty.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

impl<C: Choices + ?Sized> Choices for &mut C {
    fn below(&mut self, n: usize) -> usize {
        (**self).below(n)
    }
}

/// SplitMix64: a tiny seeded generator, the same on every machine, so a
/// formula made from a seed is the same in every build.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Choices for SplitMix64 {
    /// The remainder of the next number: the benchmark DAG's formula was
    /// first drawn this way, and keeping it keeps that formula.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Decisions read from a list, such as one that proptest generates and
/// shrinks; once the list runs out every decision is 0.
#[derive(Clone, Debug)]
pub struct Tape<'a> {
    data: &'a [u32],
    at: usize,
}

impl<'a> Tape<'a> {
    /// Decisions taken from `data` in order.
    #[must_use]
    pub const fn new(data: &'a [u32]) -> Self {
        Self { data, at: 0 }
    }
}

impl Choices for Tape<'_> {
    fn below(&mut self, n: usize) -> usize {
        let value = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        value as usize % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_numbers() {
        let mut a = SplitMix64(7);
        let mut b = SplitMix64(7);
        let first: Vec<usize> = (0..100).map(|_| a.below(1000)).collect();
        let second: Vec<usize> = (0..100).map(|_| b.below(1000)).collect();
        assert_eq!(first, second);
        assert!(first.iter().any(|&n| n != first[0]));
    }

    #[test]
    fn splitmix_matches_its_reference_values() {
        // The first outputs for seed 1234567 of the reference implementation
        // (Vigna, splitmix64.c).
        let mut rng = SplitMix64(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn a_tape_runs_out_into_zeros() {
        let mut tape = Tape::new(&[5, 7]);
        assert_eq!((tape.below(3), tape.below(10), tape.below(10)), (2, 7, 0));
        assert!(!tape.rare(4));
    }
}
