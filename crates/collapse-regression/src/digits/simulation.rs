//! The Monte Carlo of ridge regression on random features of the digits, trained on a mix of
//! real and synthetic labels.
//!
//! A training set of $n$ images drawn with replacement from the $N$ digits is, for least
//! squares and ridge, its multiset: the counts $c_i$ of each image. The counts of the $n_1$
//! real and the $n_2$ synthetic rows are two independent multinomials, drawn exactly
//! ([`crate::tails::multinomial`]: conditional binomials over the images, or one placement per
//! row when fewer rows remain than images). Then, exactly,
//! $G_g = \tilde F^\top\mathrm{diag}(c^{(g)})\tilde F$, $K = (G_1 + G_2)/n + \lambda I$,
//! $\hat B = K^{-1}\tilde F^\top\mathrm{diag}(c)Y/n$ for the clean labels, and the label noise
//! ($N(0, \sigma^2)$ per output) and the generator's error $D^\top\phi$ on the synthetic rows
//! ($D_{jk} \sim N(0, c^2/(10\,\mathrm{Tr}\,\Sigma))$) add, in expectation over them,
//! $10\sigma^2\,\mathrm{tr}(\Sigma K^{-1}GK^{-1})/n^2$ and
//! $(c^2/\mathrm{Tr}\,\Sigma)\,\mathrm{tr}(M_2^\top\Sigma M_2)$ with $M_2 = K^{-1}G_2/n$. The
//! test error is the exact mean over the $N$ digits. A replicate costs
//! $O(\min(n, N)m^2 + m^3)$ whatever $n$ is.

use super::model::{CLASSES, DigitsModel};
use crate::linalg::{self, LinalgError};
use crate::mc;
use crate::tails::{multinomial, suffix_sums};
use crate::theory::{MixProblem, Spectrum};
use collapse_core::Rng;

/// One replicate's test error and its parts, exact over the label noise and the generator's
/// error given the drawn training set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DigitsDraw {
    /// The error of the fit to the clean labels.
    pub clean: f64,
    /// The label noise's part.
    pub variance: f64,
    /// The synthetic labels' part.
    pub zeta: f64,
}

impl DigitsDraw {
    /// The whole test error.
    pub fn total(&self) -> f64 {
        self.clean + self.variance + self.zeta
    }
}

/// The counts of `n` draws with replacement from `images` images, as (image, count) pairs.
fn counts(images: usize, n: u64, rng: &mut Rng) -> Vec<(u32, u64)> {
    let w = vec![1.0; images];
    let mut out = Vec::new();
    multinomial(&w, &suffix_sums(&w), n, rng, &mut out);
    out
}

/// One replicate: `n` training images, the last `n2` of them with synthetic labels.
///
/// The drawn images become the rows of $\Phi = [\sqrt{c^{(1)}}\tilde F_1;\ \sqrt{c^{(2)}}\tilde
/// F_2]$ (one row per distinct image and part, so that $\Phi^\top\Phi = G_1 + G_2$), and the fit
/// is the ridge map $R = (\Phi^\top\Phi/n + \lambda I)^{-1}\Phi^\top/n$ of [`mc::ridge_map_scaled`]
/// through the smaller Gram matrix; the noise and shift parts are the traces of
/// [`mc::exact_parts`] on $(\Phi, R)$ with $\Sigma = \mathrm{diag}(s)$, each a sum of squares.
pub fn draw(
    model: &DigitsModel,
    n: u64,
    n2: u64,
    lambda: f64,
    sigma: f64,
    c2: f64,
    rng: &mut Rng,
) -> Result<DigitsDraw, LinalgError> {
    let (images, m) = (model.images(), model.width());
    let c1 = counts(images, n - n2, rng);
    let cs = counts(images, n2, rng);
    let all: Vec<(u32, u64)> = c1.iter().chain(&cs).copied().collect();
    let phi = linalg::from_fn(all.len(), m, |r, j| {
        let (i, k) = all[r];
        model.features[(i as usize, j)] * (k as f64).sqrt()
    })?;
    let nf = n as f64;
    let map = mc::ridge_map_scaled(phi.as_ref(), lambda, 1.0 / nf, None)?;
    let r = map.as_ref();
    // The clean fit R·(√c ⊙ Y) and its error over every digit.
    let ys = linalg::from_fn(all.len(), CLASSES, |row, k| {
        let (i, c) = all[row];
        model.targets[(i as usize, k)] * (c as f64).sqrt()
    })?;
    let fit = linalg::mul(r, ys.as_ref(), 1.0)?;
    let pred = linalg::mul(model.features.as_ref(), fit.as_ref(), 1.0)?;
    let mut clean = 0.0;
    for i in 0..images {
        for k in 0..CLASSES {
            clean += (pred[(i, k)] - model.targets[(i, k)]).powi(2);
        }
    }
    clean /= images as f64;
    drop(pred);
    let trace = model.trace();
    let noise = (CLASSES as f64).sqrt() * sigma;
    let problem = MixProblem {
        spec: Spectrum {
            eig: model.eig.clone(),
        },
        gamma: vec![0.0; m],
        delta: vec![if trace > 0.0 { c2 / trace } else { 0.0 }; m],
        n: all.len(),
        n2: cs.len(),
        sigma1: noise,
        sigma2: noise,
        lambda,
        width: None,
    };
    let (_, variance, zeta) = mc::exact_parts(&problem, phi.as_ref(), r)?;
    Ok(DigitsDraw {
        clean,
        variance,
        zeta,
    })
}

/// Bytes of the model ($\tilde F$ and the targets, and while it is built $F$, $\Sigma$, $V$ and
/// the images).
pub fn model_bytes(images: usize, width: usize) -> f64 {
    let (n, m) = (images as f64, width as f64);
    8.0 * (2.0 * n * m + 2.0 * m * m + n * (CLASSES as f64 + 64.0) + 3.0 * m * CLASSES as f64)
}

/// Bytes one replicate holds at its peak: the rows $\Phi$ (at most two per image), the map $R$
/// and its right-hand side, the Gram matrix of the smaller side with the solve's copy, the
/// traces' two matrices, and the predictions.
pub fn draw_bytes(images: usize, width: usize) -> f64 {
    let (n, m) = (images as f64, width as f64);
    let rows = 2.0 * n;
    let q = rows.min(m);
    8.0 * (3.0 * rows * m + 4.0 * q * q + n * CLASSES as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digits::model::Target;

    #[test]
    fn exact_parts_match_literal_fits_with_drawn_noise_and_shift() {
        // One training set; literal ridge fits with noise and a generator error drawn, averaged,
        // against the exact parts of `draw` on the same counts.
        let model = DigitsModel::new(12, 5, Target::Readout).unwrap();
        let (n, n2, lambda, sigma, c2) = (60u64, 20u64, 1e-3, 0.4, 1.5);
        let mut rng = collapse_core::rng::stream(1, "digits-literal", 0);
        let exact = draw(&model, n, n2, lambda, sigma, c2, &mut rng.clone()).unwrap();
        // The same counts, in the same order, as explicit rows.
        let c1 = counts(model.images(), n - n2, &mut rng);
        let cs = counts(model.images(), n2, &mut rng);
        let mut rows = Vec::new();
        for &(i, c) in &c1 {
            rows.extend(std::iter::repeat_n((i as usize, false), c as usize));
        }
        for &(i, c) in &cs {
            rows.extend(std::iter::repeat_n((i as usize, true), c as usize));
        }
        let m = model.width();
        let trace = model.trace();
        let literal = |g: &mut Rng| -> f64 {
            let d = linalg::from_fn(m, CLASSES, |_, _| {
                crate::mc::normal(g) * (c2 / (CLASSES as f64 * trace)).sqrt()
            })
            .unwrap();
            let x = linalg::from_fn(rows.len(), m, |r, j| model.features[(rows[r].0, j)]).unwrap();
            let y = linalg::from_fn(rows.len(), CLASSES, |r, k| {
                let (i, syn) = rows[r];
                let shift: f64 = if syn {
                    (0..m).map(|j| x[(r, j)] * d[(j, k)]).sum()
                } else {
                    0.0
                };
                model.targets[(i, k)] + shift + sigma * crate::mc::normal(g)
            })
            .unwrap();
            let mut kk = linalg::mul(x.transpose(), x.as_ref(), 1.0 / n as f64).unwrap();
            for i in 0..m {
                kk[(i, i)] += lambda;
            }
            let mut b = linalg::mul(x.transpose(), y.as_ref(), 1.0 / n as f64).unwrap();
            linalg::spd_solve(&mut kk, &mut b).unwrap();
            let pred = linalg::mul(model.features.as_ref(), b.as_ref(), 1.0).unwrap();
            let mut e = 0.0;
            for i in 0..model.images() {
                for k in 0..CLASSES {
                    e += (pred[(i, k)] - model.targets[(i, k)]).powi(2);
                }
            }
            e / model.images() as f64
        };
        let (mean, se) = collapse_core::check::monte_carlo("digits-literal", 4000, literal);
        let o = collapse_core::Outcome::monte_carlo(exact.total(), mean, se);
        assert!(o.pass(), "{o:?} {exact:?}");
        assert!(
            exact.zeta > 10.0 * se && exact.variance > 10.0 * se,
            "{exact:?} {se}"
        );
    }
}
