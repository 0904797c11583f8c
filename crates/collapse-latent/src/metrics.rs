//! What is measured on every generation: the spectrum of its covariance, its noise and latent
//! posterior, the distance to the real digits, and what the fixed classifier reads in its
//! digits.
//!
//! The class shares are estimated from [`SHARE_SAMPLES`] generated digits drawn with the same
//! latent and noise draws at every generation of a chain (common random numbers, so the change
//! between generations is not drowned by fresh sampling noise); each generation's set is still
//! an exact sample of its model.

use crate::data::RealDigits;
use crate::linalg::frechet;
use crate::model::{Encoder, LinearGaussian};
use crate::names;
use collapse_core::{Name, Rng, Rows};
use collapse_data::digits::CLASSES;
use nalgebra::DMatrix;
use std::sync::Arc;

/// Generated digits per generation behind the class shares.
pub const SHARE_SAMPLES: usize = 1000;

/// The metric names of a chain with `d` pixels, interned once per run, in the order they are
/// written (sorted as text, the canonical record order).
#[derive(Clone, Debug)]
pub struct MetricNames {
    /// `(name, slot)` sorted by name; `slot` indexes [`Measurement::values`].
    order: Vec<(Name, usize)>,
}

/// Slots of the scalar metrics in [`Measurement::values`]; the eigenvalues, class shares and
/// reconstruction accuracies follow.
const SCALARS: [&str; 8] = [
    names::TRACE,
    names::LOG_DET,
    names::SIGMA2,
    names::LATENT_POSTERIOR_VAR,
    names::LATENT_CODE_SD,
    names::FRECHET,
    names::MEAN_SQ_ERROR,
    names::ELBO_GAP,
];
const ELBO_SLOT: usize = 7;

impl MetricNames {
    /// The names for models of dimension `d`.
    pub fn new(d: usize) -> Self {
        let mut texts: Vec<String> = SCALARS.iter().map(|s| s.to_string()).collect();
        texts.extend((1..=d).map(names::eigenvalue));
        texts.extend((0..CLASSES).map(names::class_share));
        texts.extend((0..CLASSES).map(names::recon_accuracy));
        let mut order: Vec<(String, usize)> =
            texts.into_iter().enumerate().map(|(i, t)| (t, i)).collect();
        order.sort();
        Self {
            order: order.into_iter().map(|(t, i)| (Name::new(&t), i)).collect(),
        }
    }

    /// Metrics per generation (one fewer when the ELBO gap is absent).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there is none (never).
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Writes a generation's measurement as rows of `series` at `step`, in canonical order.
    pub fn push(&self, rows: &mut Rows, series: Name, step: u64, m: &Measurement) {
        for &(name, slot) in &self.order {
            if slot == ELBO_SLOT && m.elbo_gap.is_none() {
                continue;
            }
            rows.push(series, step, name, m.values[slot]);
        }
    }
}

/// A generation's metrics, in the slot order of [`MetricNames`].
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// Scalars, then the eigenvalues, class shares and reconstruction accuracies.
    pub values: Vec<f64>,
    /// The ELBO gap, when the model has one (also in `values`).
    pub elbo_gap: Option<f64>,
}

impl Measurement {
    /// `tr C`.
    pub fn trace(&self) -> f64 {
        self.values[0]
    }
    /// `ln det C`.
    pub fn log_det(&self) -> f64 {
        self.values[1]
    }
    /// `σ²`.
    pub fn sigma2(&self) -> f64 {
        self.values[2]
    }
    /// The average posterior variance.
    pub fn posterior_var(&self) -> f64 {
        self.values[3]
    }
    /// The latent code spread under generation 0's encoder.
    pub fn code_sd(&self) -> f64 {
        self.values[4]
    }
    /// The Fréchet distance to the real digits.
    pub fn frechet(&self) -> f64 {
        self.values[5]
    }
    /// `‖c − m‖²`.
    pub fn mean_sq_error(&self) -> f64 {
        self.values[6]
    }
    /// The k-th largest eigenvalue (from 1).
    pub fn eigenvalue(&self, k: usize) -> f64 {
        self.values[SCALARS.len() + k - 1]
    }
    /// The class shares.
    pub fn class_shares(&self, d: usize) -> &[f64] {
        let o = SCALARS.len() + d;
        &self.values[o..o + CLASSES]
    }
    /// The reconstruction accuracies per class.
    pub fn recon_accuracy(&self, d: usize) -> &[f64] {
        let o = SCALARS.len() + d + CLASSES;
        &self.values[o..o + CLASSES]
    }
}

/// The per-chain state the metrics need: the real digits, the fixed draws behind the class
/// shares, and generation 0's encoder once it is fitted.
pub struct Probe {
    real: Arc<RealDigits>,
    /// Latent draws, `q × SHARE_SAMPLES`.
    z: DMatrix<f64>,
    /// The pixel-noise draws' inner products with the class centroids, `10 × SHARE_SAMPLES`.
    noise_dots: DMatrix<f64>,
    /// Generation 0's encoder.
    origin: Option<Encoder>,
}

impl Probe {
    /// A probe for models with `q` latents, its draws taken from `rng`.
    pub fn new(real: Arc<RealDigits>, q: usize, rng: &mut Rng) -> Self {
        let d = real.mean.len();
        let k = SHARE_SAMPLES;
        let z = DMatrix::from_vec(q, k, collapse_core::normal::standard_normals(rng, q * k));
        let eps = DMatrix::from_vec(d, k, collapse_core::normal::standard_normals(rng, d * k));
        let noise_dots = real.classifier.centroids.transpose() * eps;
        Self {
            real,
            z,
            noise_dots,
            origin: None,
        }
    }

    /// Measures a generation; the first one measured becomes the origin whose encoder reads
    /// the later ones' codes.
    pub fn measure(&mut self, g: &LinearGaussian) -> Measurement {
        if self.origin.is_none() {
            self.origin = Some(g.encoder.clone());
        }
        let r = &self.real;
        let d = g.dim();
        let q = g.latent();
        let f = g.factor();
        let mut values = Vec::with_capacity(SCALARS.len() + d + 2 * CLASSES);
        let origin = self.origin.as_ref().expect("set above");
        // tr(V₀ C V₀ᵀ)/q = ‖V₀ F‖²_F / q.
        let vf = &origin.weight * &f;
        let code_sd = (vf.norm_squared() / origin.weight.nrows() as f64).sqrt();
        let elbo_gap = g.elbo_gap;
        values.extend([
            g.trace(),
            g.log_det(),
            g.noise,
            g.posterior_var(),
            code_sd,
            frechet(&g.mean, &f, &r.mean, &r.cov_sqrt, r.cov.trace()),
            (&g.mean - &r.mean).norm_squared(),
            elbo_gap.unwrap_or(0.0),
        ]);
        values.extend(g.spectrum.values.iter());
        values.extend(self.class_shares(g));
        values.extend(self.recon_accuracy(g));
        debug_assert_eq!(q, self.z.nrows());
        Measurement { values, elbo_gap }
    }

    /// The fraction of the fixed generated digits `c + W z + σ ε` the classifier assigns to
    /// each class.
    fn class_shares(&self, g: &LinearGaussian) -> [f64; CLASSES] {
        let cl = &self.real.classifier;
        let base = cl.centroids.transpose() * &g.mean; // μ_c · c
        let wc = g.loading.transpose() * &cl.centroids; // q × 10: Wᵀ μ_c
        let mut dots = wc.transpose() * &self.z; // 10 × K
        dots += &self.noise_dots * g.noise.sqrt();
        let mut counts = [0usize; CLASSES];
        for c in cl.classify_offset(&dots, &base) {
            counts[c] += 1;
        }
        counts.map(|c| c as f64 / self.z.ncols() as f64)
    }

    /// Per class, the fraction of real digits classified correctly after encoding (posterior
    /// mean) and decoding (mean image): `x̂ = c + W(V x + b)`.
    fn recon_accuracy(&self, g: &LinearGaussian) -> [f64; CLASSES] {
        let r = &self.real;
        let cl = &r.classifier;
        let wc = g.loading.transpose() * &cl.centroids; // q × 10
        // x̂ · μ_c = μ_c·c + (Wᵀμ_c)·b + (Vᵀ Wᵀ μ_c)·x.
        let base = cl.centroids.transpose() * &g.mean + wc.transpose() * &g.encoder.bias;
        let h = g.encoder.weight.transpose() * &wc; // d × 10
        let dots = h.transpose() * &r.points; // 10 × N
        let mut right = [0usize; CLASSES];
        for (i, c) in cl.classify_offset(&dots, &base).into_iter().enumerate() {
            if c == r.labels[i] as usize {
                right[c] += 1;
            }
        }
        let counts = r.class_counts();
        std::array::from_fn(|c| right[c] as f64 / counts[c] as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ppca;
    use collapse_core::rng::stream;

    #[test]
    fn generation_zero_reads_like_the_real_digits() {
        let r = RealDigits::builtin();
        let g = ppca::fit(&r.mean, &r.cov, 20);
        let mut p = Probe::new(r.clone(), 20, &mut stream(1, "probe", 0));
        let m = p.measure(&g);
        assert_eq!(m.values.len(), 8 + 64 + 20);
        // Shares sum to 1; every class is generated at generation 0.
        let shares = m.class_shares(64);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(shares.iter().all(|&s| s > 0.02), "{shares:?}");
        // Reconstructions through 20 principal directions stay readable.
        let acc = m.recon_accuracy(64);
        assert!(acc.iter().all(|&a| a > 0.6), "{acc:?}");
        assert!((m.trace() - r.cov.trace()).abs() < 1e-12);
        assert!(m.frechet() > 0.0 && m.mean_sq_error() == 0.0);
        // Generation 0's codes under its own encoder: variance (λ − σ²)/λ per latent.
        let expect: f64 = (0..20)
            .map(|k| 1.0 - g.noise / r.spectrum.values[k])
            .sum::<f64>()
            / 20.0;
        assert!((m.code_sd() - expect.sqrt()).abs() < 1e-12);
        // The reconstruction accuracies by the direct formula x̂ = c + W(Vx + b), image by
        // image.
        let xhat = DMatrix::from_columns(
            &(0..r.len())
                .map(|i| g.decode(&g.encoder.encode(&r.points.column(i).into_owned())))
                .collect::<Vec<_>>(),
        );
        let pred = r.classifier.classify(&xhat);
        let counts = r.class_counts();
        for c in 0..10 {
            let right = (0..r.len())
                .filter(|&i| r.labels[i] as usize == c && pred[i] == c)
                .count();
            assert_eq!(acc[c], right as f64 / counts[c] as f64, "class {c}");
        }
    }

    #[test]
    fn names_are_sorted_and_skip_a_missing_gap() {
        let n = MetricNames::new(64);
        let texts: Vec<&str> = n.order.iter().map(|(t, _)| t.as_str()).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(texts, sorted);
        let r = RealDigits::builtin();
        let g = ppca::fit(&r.mean, &r.cov, 20);
        let m = Probe::new(r, 20, &mut stream(1, "probe", 0)).measure(&g);
        let mut rows = Rows::new(0);
        n.push(&mut rows, Name::new("s"), 0, &m);
        assert_eq!(rows.len(), n.len() - 1);
    }
}
