//! The linear VAE (Lucas, Tucker, Grosse & Norouzi 2019, "Don't blame the ELBO!", §4), trained
//! on its ELBO by Adam.
//!
//! Decoder `p(x | z) = N(c + W z, σ² I)`, prior `z ~ N(0, I)`, encoder
//! `q(z | x) = N(V x + b, diag(e^η))`. Everything is linear and Gaussian, so the ELBO averaged
//! over a data set is a closed-form function of the parameters and of the data's mean `m` and
//! MLE covariance `S` (the average over the points, as a VAE's loss is):
//!
//! ```text
//! ELBO = −(d/2) ln 2π − (d/2) ln σ² − [E‖x − c − W u(x)‖² + Σ_k D_k (WᵀW)_kk] / (2σ²)
//!        − ½ [Σ_k D_k + E‖u(x)‖² − q − Σ_k η_k],      u(x) = V x + b,  D = e^η,
//! E‖x − c − W u(x)‖² = tr(A S Aᵀ) + ‖A m − c − W b‖²,  A = I − W V,
//! E‖u(x)‖²           = tr(V S Vᵀ) + ‖V m + b‖².
//! ```
//!
//! Training ascends this expectation with exact gradients ([`elbo_and_gradient`]): a full-batch
//! run of the reparameterised estimator with its sampling noise integrated out. The noise of
//! minibatches and of the reparameterisation draws is therefore not modelled: what remains is
//! the optimiser's budget, the functional-approximation error. Its global optimum is
//! probabilistic PCA of `S` with the exact (diagonal) posterior; [`from_ppca`] builds that point
//! and the checks show its ELBO equals the pPCA log-likelihood and its gradient vanishes.

use crate::linalg::Spectrum;
use crate::model::{Encoder, LinearGaussian};
use crate::ppca;
use collapse_core::Rng;
use nalgebra::{DMatrix, DVector};

/// Adam's settings: a number of full-batch steps at a constant learning rate (the paper's
/// notebook trains with a constant rate too), β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    /// Gradient steps per generation.
    pub steps: usize,
    /// The learning rate.
    pub learning_rate: f64,
}

/// Adam's first-moment decay.
pub const BETA1: f64 = 0.9;
/// Adam's second-moment decay.
pub const BETA2: f64 = 0.999;
/// Adam's ε.
pub const EPSILON: f64 = 1e-8;
/// The standard deviation of the initial decoder weights (pixels in [0, 1]).
pub const INIT_SCALE: f64 = 0.1;

/// The parameters of a linear VAE (or the gradient of the ELBO with respect to them).
#[derive(Clone, Debug, PartialEq)]
pub struct VaeParams {
    /// Decoder weight `W`, `d × q`.
    pub w: DMatrix<f64>,
    /// Encoder weight `V`, `q × d`.
    pub v: DMatrix<f64>,
    /// Encoder bias `b`, length `q`.
    pub b: DVector<f64>,
    /// Decoder bias `c`, length `d`.
    pub c: DVector<f64>,
    /// `ln σ²`.
    pub log_noise: f64,
    /// `η = ln D`, the encoder's log-variances, length `q`.
    pub log_var: DVector<f64>,
}

impl VaeParams {
    /// Zero parameters of the given sizes (a gradient accumulator, Adam's moments).
    pub fn zeros(d: usize, q: usize) -> Self {
        Self {
            w: DMatrix::zeros(d, q),
            v: DMatrix::zeros(q, d),
            b: DVector::zeros(q),
            c: DVector::zeros(d),
            log_noise: 0.0,
            log_var: DVector::zeros(q),
        }
    }

    /// The initialisation every generation trains from: `W ~ N(0, 0.1²)`, `V ~ N(0, 0.1²/d)`,
    /// biases 0, `σ² = 1`, posterior variances 1 (a fresh network, as each generation of the
    /// paper's notebook is).
    pub fn init(d: usize, q: usize, rng: &mut Rng) -> Self {
        let nw = collapse_core::normal::standard_normals(rng, d * q);
        let nv = collapse_core::normal::standard_normals(rng, d * q);
        let sv = INIT_SCALE / (d as f64).sqrt();
        Self {
            w: DMatrix::from_iterator(d, q, nw.into_iter().map(|z| z * INIT_SCALE)),
            v: DMatrix::from_iterator(q, d, nv.into_iter().map(|z| z * sv)),
            ..Self::zeros(d, q)
        }
    }

    /// Every number, in a fixed order (for Adam's element-wise update).
    fn slices_mut(&mut self) -> [&mut [f64]; 6] {
        [
            self.w.as_mut_slice(),
            self.v.as_mut_slice(),
            self.b.as_mut_slice(),
            self.c.as_mut_slice(),
            std::slice::from_mut(&mut self.log_noise),
            self.log_var.as_mut_slice(),
        ]
    }

    /// The largest absolute component.
    pub fn max_abs(&self) -> f64 {
        let mut m = self.log_noise.abs();
        for s in [
            self.w.as_slice(),
            self.v.as_slice(),
            self.b.as_slice(),
            self.c.as_slice(),
            self.log_var.as_slice(),
        ] {
            m = s.iter().fold(m, |a, x| a.max(x.abs()));
        }
        m
    }
}

/// The ELBO per data point at `p`, for data of mean `m` and MLE covariance `s`.
pub fn elbo(p: &VaeParams, m: &DVector<f64>, s: &DMatrix<f64>) -> f64 {
    elbo_and_gradient(p, m, s).0
}

/// The ELBO per data point and its gradient (for ascent), in one pass.
pub fn elbo_and_gradient(p: &VaeParams, m: &DVector<f64>, s: &DMatrix<f64>) -> (f64, VaeParams) {
    let (d, q) = p.w.shape();
    let noise = p.log_noise.exp();
    let dvar = p.log_var.map(f64::exp);
    let ubar = &p.v * m + &p.b; // the mean code
    let r = m - &p.c - &p.w * &ubar; // the mean residual A m − c − W b
    let vs = &p.v * s; // V S, q × d
    let vsvt = &vs * p.v.transpose(); // V S Vᵀ
    let wtw = p.w.transpose() * &p.w;
    let tr_wvs: f64 =
        p.w.iter()
            .zip(vs.transpose().iter())
            .map(|(a, b)| a * b)
            .sum();
    let tr_wtw_vsvt: f64 = wtw.iter().zip(vsvt.iter()).map(|(a, b)| a * b).sum();
    let recon = s.trace() - 2.0 * tr_wvs + tr_wtw_vsvt + r.norm_squared();
    let code = vsvt.trace() + ubar.norm_squared();
    let tr_wdw: f64 = (0..q).map(|k| dvar[k] * wtw[(k, k)]).sum();
    let kl = 0.5 * (dvar.sum() + code - q as f64 - p.log_var.sum());
    let value = -0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln()
        - 0.5 * d as f64 * p.log_noise
        - (recon + tr_wdw) / (2.0 * noise)
        - kl;

    // ∂/∂W = [A S Vᵀ + r ūᵀ − W D]/σ², with A S Vᵀ = (V S)ᵀ − W (V S Vᵀ).
    let mut gw = vs.transpose() - &p.w * &vsvt + &r * ubar.transpose();
    for k in 0..q {
        let mut col = gw.column_mut(k);
        col.axpy(-dvar[k], &p.w.column(k), 1.0);
    }
    gw /= noise;
    // ∂/∂V = [Wᵀ A S + Wᵀ r mᵀ]/σ² − [V S + ū mᵀ], with Wᵀ A S = (S W)ᵀ − (WᵀW)(V S).
    let wtr = p.w.transpose() * &r;
    let gv = ((s * &p.w).transpose() - &wtw * &vs + &wtr * m.transpose()) / noise
        - (&vs + &ubar * m.transpose());
    let gb = &wtr / noise - &ubar;
    let gc = &r / noise;
    let g_noise = -0.5 * d as f64 + (recon + tr_wdw) / (2.0 * noise);
    let g_var = DVector::from_fn(q, |k, _| {
        -0.5 * wtw[(k, k)] * dvar[k] / noise - 0.5 * dvar[k] + 0.5
    });
    (
        value,
        VaeParams {
            w: gw,
            v: gv,
            b: gb,
            c: gc,
            log_noise: g_noise,
            log_var: g_var,
        },
    )
}

/// Runs Adam from `p` for `cfg.steps` full-batch steps of ascent on the ELBO.
pub fn ascend(p: &mut VaeParams, m: &DVector<f64>, s: &DMatrix<f64>, cfg: Adam) {
    let (d, q) = p.w.shape();
    let mut m1 = VaeParams::zeros(d, q);
    let mut m2 = VaeParams::zeros(d, q);
    let (mut b1t, mut b2t) = (1.0, 1.0);
    for _ in 0..cfg.steps {
        let (_, mut g) = elbo_and_gradient(p, m, s);
        b1t *= BETA1;
        b2t *= BETA2;
        // Bias-corrected step: lr · m̂/(√v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
        let (c1, c2) = (1.0 / (1.0 - b1t), 1.0 / (1.0 - b2t));
        for (((theta, grad), mo), ve) in p
            .slices_mut()
            .into_iter()
            .zip(g.slices_mut())
            .zip(m1.slices_mut())
            .zip(m2.slices_mut())
        {
            for i in 0..theta.len() {
                let gi = grad[i];
                mo[i] = BETA1 * mo[i] + (1.0 - BETA1) * gi;
                ve[i] = BETA2 * ve[i] + (1.0 - BETA2) * gi * gi;
                theta[i] += cfg.learning_rate * (mo[i] * c1) / ((ve[i] * c2).sqrt() + EPSILON);
            }
        }
    }
}

/// Trains a fresh linear VAE with `q` latents on data of mean `m` and MLE covariance `s` and
/// returns it as a model, with its ELBO's shortfall from the closed-form optimum.
pub fn train(
    m: &DVector<f64>,
    s: &DMatrix<f64>,
    q: usize,
    cfg: Adam,
    rng: &mut Rng,
) -> LinearGaussian {
    let mut p = VaeParams::init(m.len(), q, rng);
    ascend(&mut p, m, s, cfg);
    let reached = elbo(&p, m, s);
    let best = ppca::max_log_likelihood(&Spectrum::of(s).values, q);
    let gap = best - reached;
    into_model(p, gap.is_finite().then_some(gap))
}

/// The model of VAE parameters: decoder `(c, W, σ²)`, encoder `(V, b, D)`, and the spectrum of
/// `W Wᵀ + σ² I`.
pub fn into_model(p: VaeParams, elbo_gap: Option<f64>) -> LinearGaussian {
    let d = p.c.len();
    let noise = p.log_noise.exp();
    let cov = &p.w * p.w.transpose() + DMatrix::identity(d, d) * noise;
    LinearGaussian {
        spectrum: Spectrum::of(&cov),
        noise,
        encoder: Encoder {
            weight: p.v,
            bias: p.b,
            var: p.log_var.map(f64::exp),
        },
        mean: p.c,
        loading: p.w,
        elbo_gap,
    }
}

/// The VAE parameters of a closed-form pPCA model with `σ² > 0`: its decoder, and the exact
/// posterior as the encoder (diagonal, because the pPCA loading has orthogonal columns).
pub fn from_ppca(model: &LinearGaussian) -> VaeParams {
    VaeParams {
        w: model.loading.clone(),
        v: model.encoder.weight.clone(),
        b: model.encoder.bias.clone(),
        c: model.mean.clone(),
        log_noise: model.noise.ln(),
        log_var: model.encoder.var.map(f64::ln),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::RealDigits;
    use collapse_core::rng::stream;

    fn perturbed(d: usize, q: usize) -> VaeParams {
        let mut rng = stream(1, "vae-test", 0);
        let mut p = VaeParams::init(d, q, &mut rng);
        p.b = DVector::from_fn(q, |k, _| 0.1 * k as f64 - 0.3);
        p.c = DVector::from_fn(d, |k, _| 0.01 * k as f64);
        p.log_noise = -2.3;
        p.log_var = DVector::from_fn(q, |k, _| -0.2 * k as f64);
        p
    }

    /// Central finite differences of the ELBO against the analytic gradient, component by
    /// component on a sample of coordinates.
    #[test]
    fn gradient_matches_finite_differences() {
        let r = RealDigits::builtin();
        let s = &r.scatter / r.len() as f64;
        let (d, q) = (64, 5);
        let p = perturbed(d, q);
        let (_, g) = elbo_and_gradient(&p, &r.mean, &s);
        let h = 1e-6;
        let check = |bump: &dyn Fn(&mut VaeParams, f64), analytic: f64, what: &str| {
            let mut a = p.clone();
            bump(&mut a, h);
            let mut b = p.clone();
            bump(&mut b, -h);
            let fd = (elbo(&a, &r.mean, &s) - elbo(&b, &r.mean, &s)) / (2.0 * h);
            assert!(
                (fd - analytic).abs() < 1e-5 * (1.0 + analytic.abs()),
                "{what}: {fd} vs {analytic}"
            );
        };
        for (i, j) in [(10, 0), (20, 3), (63, 4), (37, 2)] {
            check(&|p, e| p.w[(i, j)] += e, g.w[(i, j)], "W");
            check(&|p, e| p.v[(j, i)] += e, g.v[(j, i)], "V");
            check(&|p, e| p.c[i] += e, g.c[i], "c");
        }
        for k in 0..q {
            check(&|p, e| p.b[k] += e, g.b[k], "b");
            check(&|p, e| p.log_var[k] += e, g.log_var[k], "eta");
        }
        check(&|p, e| p.log_noise += e, g.log_noise, "log noise");
    }

    #[test]
    fn adam_climbs_towards_the_closed_form() {
        let r = RealDigits::builtin();
        let s = &r.scatter / r.len() as f64;
        let best = ppca::max_log_likelihood(&Spectrum::of(&s).values, 20);
        let cfg = |steps| Adam {
            steps,
            learning_rate: 0.01,
        };
        let short = train(&r.mean, &s, 20, cfg(100), &mut stream(2, "t", 0));
        let long = train(&r.mean, &s, 20, cfg(2000), &mut stream(2, "t", 0));
        let (gs, gl) = (short.elbo_gap.unwrap(), long.elbo_gap.unwrap());
        assert!(gs > gl && gl >= 0.0, "{gs} {gl}");
        assert!(gl < 0.05 * best.abs(), "{gl}");
    }
}
