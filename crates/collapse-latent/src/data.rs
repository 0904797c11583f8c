//! The real digits every chain starts from, and the fixed classifier that reads generated ones.
//!
//! Pixels are intensities in [0, 1]: the 0–16 counts of the optdigits images divided by 16 (the
//! scale the paper's VAE sees on MNIST; Adam's step sizes are not scale-free). A user's file
//! in the same CSV format (`--set images=PATH`) is read the same way.

use crate::linalg::{Spectrum, covariance};
use collapse_data::digits::{self as raw, CLASSES, Digits, PIXELS};
use nalgebra::{DMatrix, DVector};
use std::sync::{Arc, OnceLock};

/// The name of the built-in digits (`images=digits`); any other value is a path.
pub const BUILTIN: &str = "digits";

/// The divisor that maps the files' 0–16 counts to [0, 1].
pub const PIXEL_SCALE: f64 = 16.0;

/// The pixel dimension `d`.
pub const DIM: usize = PIXELS;

/// The data set, its moments and spectrum, and the classifier fitted to it.
#[derive(Clone, Debug)]
pub struct RealDigits {
    /// Where the images came from (`digits` or the path given).
    pub source: String,
    /// The images as columns, `d × N`, intensities in [0, 1].
    pub points: DMatrix<f64>,
    /// The class of each image.
    pub labels: Vec<u8>,
    /// The mean image `m`.
    pub mean: DVector<f64>,
    /// The scatter `Σ (x − m)(x − m)ᵀ`.
    pub scatter: DMatrix<f64>,
    /// The unbiased covariance `S = scatter/(N−1)`: generation 0 is fitted to it, and the
    /// infinite-sample mode uses it as the real data's population.
    pub cov: DMatrix<f64>,
    /// The spectrum of `S` (exact zeros for pixels that never vary).
    pub spectrum: Spectrum,
    /// `S^{1/2}`, for the Fréchet distance.
    pub cov_sqrt: DMatrix<f64>,
    /// The nearest-centroid classifier fitted to these images.
    pub classifier: NearestCentroid,
}

/// Why a data set cannot start a chain.
#[derive(Clone, Debug, PartialEq)]
pub struct DataError(pub String);

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl RealDigits {
    /// The built-in digits (decoded once per process).
    pub fn builtin() -> Arc<RealDigits> {
        static CACHE: OnceLock<Arc<RealDigits>> = OnceLock::new();
        CACHE
            .get_or_init(|| {
                Arc::new(
                    RealDigits::new(BUILTIN, raw::load())
                        .expect("the built-in digits have every class and rank 61"),
                )
            })
            .clone()
    }

    /// The built-in digits for `images=digits`, otherwise the file at that path.
    pub fn open(images: &str) -> Result<Arc<RealDigits>, DataError> {
        if images == BUILTIN {
            return Ok(Self::builtin());
        }
        let bytes =
            std::fs::read(images).map_err(|e| DataError(format!("cannot read `{images}`: {e}")))?;
        let digits = raw::parse_bytes(&bytes).map_err(|e| DataError(format!("`{images}`: {e}")))?;
        Ok(Arc::new(RealDigits::new(images, digits)?))
    }

    /// Scales the images to [0, 1] and computes their moments, spectrum and classifier. Every
    /// class 0–9 must have an image (the classifier has a centroid per class), and there must be
    /// at least two images.
    pub fn new(source: &str, digits: Digits) -> Result<RealDigits, DataError> {
        let n = digits.len();
        if n < 2 {
            return Err(DataError(format!(
                "`{source}` holds {n} image; at least 2 are needed for a covariance"
            )));
        }
        let mut counts = [0usize; CLASSES];
        for &c in &digits.labels {
            counts[c as usize] += 1;
        }
        if let Some(missing) = counts.iter().position(|&k| k == 0) {
            return Err(DataError(format!(
                "`{source}` has no image of class {missing}; every label 0-9 must appear (the classifier has one centroid per class)"
            )));
        }
        let points = DMatrix::from_fn(DIM, n, |p, i| digits.image(i)[p] / PIXEL_SCALE);
        let (mean, scatter) = moments(&points);
        let cov = covariance(&scatter, n, true);
        let spectrum = Spectrum::of(&cov);
        let cov_sqrt = spectrum.sqrt();
        let classifier = NearestCentroid::fit(&points, &digits.labels);
        Ok(RealDigits {
            source: source.to_string(),
            points,
            labels: digits.labels,
            mean,
            scatter,
            cov,
            spectrum,
            cov_sqrt,
            classifier,
        })
    }

    /// Number of images `N`.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there is no image (never true for a constructed data set).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The rank of `S` (61 for the built-in digits: pixels 1, 33 and 40 are blank in every
    /// image).
    pub fn rank(&self) -> usize {
        self.spectrum.rank()
    }

    /// Images of each class.
    pub fn class_counts(&self) -> [usize; CLASSES] {
        let mut counts = [0usize; CLASSES];
        for &c in &self.labels {
            counts[c as usize] += 1;
        }
        counts
    }
}

/// Mean and scatter of the columns of `x` (two passes).
pub fn moments(x: &DMatrix<f64>) -> (DVector<f64>, DMatrix<f64>) {
    let (d, n) = x.shape();
    if n == 0 {
        return (DVector::zeros(d), DMatrix::zeros(d, d));
    }
    let mean = x.column_mean();
    let mut centred = x.clone();
    for mut c in centred.column_iter_mut() {
        c -= &mean;
    }
    let scatter = &centred * centred.transpose();
    (mean, scatter)
}

/// A nearest-centroid classifier: an image is assigned the class whose mean image is nearest in
/// Euclidean distance. Fitted once to the real digits and never retrained, it reads every
/// generation's digits the same way.
#[derive(Clone, Debug, PartialEq)]
pub struct NearestCentroid {
    /// The class means as columns, `d × 10`.
    pub centroids: DMatrix<f64>,
    /// `‖centroid‖²` per class.
    pub norms: DVector<f64>,
}

impl NearestCentroid {
    /// Fits the class means of the columns of `x`.
    pub fn fit(x: &DMatrix<f64>, labels: &[u8]) -> Self {
        let d = x.nrows();
        let mut centroids = DMatrix::zeros(d, CLASSES);
        let mut counts = [0usize; CLASSES];
        for (i, &c) in labels.iter().enumerate() {
            let mut col = centroids.column_mut(c as usize);
            col += x.column(i);
            counts[c as usize] += 1;
        }
        for (c, &k) in counts.iter().enumerate() {
            if k > 0 {
                let mut col = centroids.column_mut(c);
                col /= k as f64;
            }
        }
        let norms =
            DVector::from_iterator(CLASSES, centroids.column_iter().map(|c| c.norm_squared()));
        Self { centroids, norms }
    }

    /// The class whose centroid is nearest to an image given by its inner products with the
    /// centroids (`dots[c] = x·μ_c`): argmin of `‖μ_c‖² − 2 x·μ_c`; ties go to the lower class.
    pub fn classify_dots(&self, dots: impl Iterator<Item = f64>) -> usize {
        let mut best = (f64::INFINITY, 0usize);
        for (c, dot) in dots.enumerate() {
            let score = self.norms[c] - 2.0 * dot;
            if score < best.0 {
                best = (score, c);
            }
        }
        best.1
    }

    /// The class of each column of `dots + base` (`dots` is `10 × n`, column `i` the inner
    /// products of image `i` with the centroids up to the per-class offset `base`): the same
    /// arithmetic and tie rule as [`NearestCentroid::classify_dots`], on whole columns at once
    /// (the metrics classify 2,797 images per generation).
    pub fn classify_offset(&self, dots: &DMatrix<f64>, base: &DVector<f64>) -> Vec<usize> {
        assert_eq!(dots.nrows(), CLASSES, "one row per class");
        let norms: [f64; CLASSES] = std::array::from_fn(|c| self.norms[c]);
        let base: [f64; CLASSES] = std::array::from_fn(|c| base[c]);
        dots.as_slice()
            .chunks_exact(CLASSES)
            .map(|col| {
                let mut best = (norms[0] - 2.0 * (col[0] + base[0]), 0usize);
                for c in 1..CLASSES {
                    let score = norms[c] - 2.0 * (col[c] + base[c]);
                    if score < best.0 {
                        best = (score, c);
                    }
                }
                best.1
            })
            .collect()
    }

    /// The class of each column of `x`.
    pub fn classify(&self, x: &DMatrix<f64>) -> Vec<usize> {
        let dots = self.centroids.transpose() * x;
        dots.column_iter()
            .map(|col| self.classify_dots(col.iter().copied()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_digits_have_the_known_moments() {
        let r = RealDigits::builtin();
        assert_eq!(r.len(), 1797);
        assert_eq!(r.rank(), 61);
        // Against numpy on the same file: tr S = 1202.1477121607036 in 0–16 units.
        let tr = r.cov.trace() * PIXEL_SCALE * PIXEL_SCALE;
        assert!((tr - 1_202.147_712_160_703_6).abs() < 1e-9, "{tr}");
        let top = r.spectrum.values[0] * PIXEL_SCALE * PIXEL_SCALE;
        assert!((top - 179.006_930_1).abs() < 1e-6, "{top}");
        // The classifier reads the real digits well (nearest centroid on optdigits: ~90 %).
        let pred = r.classifier.classify(&r.points);
        let acc = pred
            .iter()
            .zip(&r.labels)
            .filter(|(p, l)| **p == **l as usize)
            .count() as f64
            / r.len() as f64;
        assert!((0.85..0.95).contains(&acc), "{acc}");
    }

    #[test]
    fn files_are_read_and_refused_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.csv");
        let e = RealDigits::open(missing.to_str().unwrap()).unwrap_err();
        assert!(e.0.contains("cannot read"), "{e}");
        // One image per class is a valid (if small) data set.
        let mut text = String::new();
        for c in 0..10 {
            let px: Vec<String> = (0..64).map(|p| ((p * (c + 1)) % 17).to_string()).collect();
            text.push_str(&format!("{},{c}\n", px.join(",")));
        }
        let ok = dir.path().join("ok.csv");
        std::fs::write(&ok, &text).unwrap();
        let r = RealDigits::open(ok.to_str().unwrap()).unwrap();
        assert_eq!(r.len(), 10);
        // A class missing.
        let nine: String = text.lines().take(9).map(|l| format!("{l}\n")).collect();
        let f = dir.path().join("nine.csv");
        std::fs::write(&f, nine).unwrap();
        let e = RealDigits::open(f.to_str().unwrap()).unwrap_err();
        assert!(e.0.contains("class 9"), "{e}");
        // A line of the wrong width.
        let f = dir.path().join("wide.csv");
        std::fs::write(&f, format!("{text}1,2,3\n")).unwrap();
        let e = RealDigits::open(f.to_str().unwrap()).unwrap_err();
        assert!(e.0.contains("line 11 has 3 fields"), "{e}");
    }
}
