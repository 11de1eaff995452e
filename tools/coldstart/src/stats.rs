//! Order statistics over timing samples.

use serde::Serialize;

/// The `p`-th percentile (0..=100) of `samples`, interpolating linearly between the
/// two nearest ranks (the same definition as NumPy's default and Excel's
/// `PERCENTILE.INC`). `None` for an empty input; NaN samples are ignored.
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let frac = rank - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

/// The median (50th percentile) of `samples`.
pub fn median(samples: &[f64]) -> Option<f64> {
    percentile(samples, 50.0)
}

/// Summary of one series of samples, as written to the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub median: f64,
    pub p90: f64,
    pub min: f64,
    pub max: f64,
    pub samples: Vec<f64>,
}

impl Summary {
    /// `None` when there are no samples.
    pub fn of(samples: &[f64]) -> Option<Self> {
        Some(Self {
            median: median(samples)?,
            p90: percentile(samples, 90.0)?,
            min: percentile(samples, 0.0)?,
            max: percentile(samples, 100.0)?,
            samples: samples.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn empty_has_no_percentile() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(median(&[f64::NAN]), None);
        assert!(Summary::of(&[]).is_none());
    }

    #[test]
    fn single_sample_is_every_percentile() {
        for p in [0.0, 10.0, 50.0, 90.0, 100.0] {
            assert!(close(percentile(&[4.2], p), 4.2));
        }
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert!(close(median(&[3.0, 1.0, 2.0]), 2.0));
        assert!(close(median(&[4.0, 1.0, 3.0, 2.0]), 2.5));
    }

    #[test]
    fn p90_interpolates_between_ranks() {
        let samples: Vec<f64> = (1..=10).map(f64::from).rev().collect();
        assert!(close(percentile(&samples, 90.0), 9.1));
        assert!(close(percentile(&samples, 0.0), 1.0));
        assert!(close(percentile(&samples, 100.0), 10.0));
        // Out-of-range p is clamped.
        assert!(close(percentile(&samples, 150.0), 10.0));
    }

    #[test]
    fn nan_samples_are_ignored() {
        assert!(close(median(&[1.0, f64::NAN, 3.0]), 2.0));
    }

    #[test]
    fn summary_fields() {
        let s = Summary::of(&[5.0, 1.0, 3.0]).expect("non-empty");
        assert!(close(Some(s.median), 3.0));
        assert!(close(Some(s.min), 1.0));
        assert!(close(Some(s.max), 5.0));
        assert_eq!(s.samples, vec![5.0, 1.0, 3.0]);
    }
}
