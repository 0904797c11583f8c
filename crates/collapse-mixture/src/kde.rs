//! Recursive kernel density estimation (Kazdan et al. 2024's KDE workflows) and the exact
//! expected variance of every generation.
//!
//! Let $S = \sum \|x\|^2$, $T = \sum x$ over a training set of $N$ points and
//! $B = S/N - \|T\|^2/N^2$ its (trace of the) biased covariance. A KDE with kernel $H$ has
//! $\operatorname{tr}\operatorname{Cov} = B + \operatorname{tr}H$, with $\operatorname{tr}H = d h^2$
//! (fixed bandwidth) or $f_N^2\,\tfrac{N}{N-1}B$ (Silverman, Scott). Drawing $M$ points from it
//! gives $\mathbb E[\sum\|x\|^2] = M(S/N + \operatorname{tr}H)$ and
//! $\mathbb E\|\sum x\|^2 = M\operatorname{tr}\operatorname{Cov} + M^2\|T\|^2/N^2$. Every
//! quantity is linear in $(\mathbb E S, \mathbb E\|T\|^2)$, so the expectations propagate
//! exactly through replace, accumulate and accumulate-subsample (a subsample of $M$ out of $N$
//! has $\mathbb E S' = (M/N) S$ and
//! $\mathbb E\|T'\|^2 = M B\,\tfrac{N-M}{N-1} + M^2\|T\|^2/N^2$). See proofs/mixtures.md.

use crate::family::{Density, KdeFamily};
use crate::model::{BANDWIDTH_NAMES, Bandwidth, Gaussian, Mixture, cross_entropy};
use collapse_core::chain::ChainConfig;
use collapse_core::{
    Experiment, ExperimentError, ParamError, ParamSpec, Params, Policy, Record, RunContext,
    RunOutput, Schedule, TheoryRow, run_chain,
};

/// The experiment's id.
pub const ID: &str = "mixture-kde";

/// The workflows the experiment accepts in `policies`.
pub const WORKFLOWS: &[&str] = &["replace", "accumulate", "accumulate-subsample"];

/// `E[tr Cov_n] / d` of generations `0..=n` of a KDE chain started from a truth with
/// `tr Cov_0 = d v0` and `‖μ_0‖² = m0sq`, `M` points per generation.
pub fn expected_var(
    policy: Policy,
    bw: Bandwidth,
    d: usize,
    m: usize,
    v0: f64,
    m0sq: f64,
    n: u64,
) -> Vec<f64> {
    let (df, mf) = (d as f64, m as f64);
    let kernel = |nn: f64, b: f64| match bw {
        Bandwidth::Fixed(h) => df * h * h,
        _ => {
            let f = bw.factor(nn, df).unwrap_or(0.0);
            f * f * nn / (nn - 1.0) * b
        }
    };
    let mut out = vec![v0];
    // The training set of generation 1 is M points of the truth; it is also the pool.
    let tr0 = df * v0;
    let (mut s, mut q, mut nn) = (mf * (tr0 + m0sq), mf * tr0 + mf * mf * m0sq, mf);
    let (mut ps, mut pq, mut pn) = (s, q, nn);
    for g in 1..=n {
        let b = s / nn - q / (nn * nn);
        let th = kernel(nn, b);
        let tr = b + th;
        out.push(tr / df);
        if g == n {
            break;
        }
        // Draw M points of generation g: E Σ‖x‖², E[T_train·T_D] = (M/N) E‖T_train‖²
        // (written for the pool below), E‖T_D‖².
        let sd = mf * (s / nn + th);
        let qd = mf * tr + mf * mf * q / (nn * nn);
        match policy {
            Policy::Replace | Policy::Mix { .. } => {
                s = sd;
                q = qd;
                nn = mf;
            }
            Policy::Accumulate => {
                // The model was fitted on the whole pool: T_train = T_pool.
                let cross = mf / nn * q;
                s += sd;
                q += 2.0 * cross + qd;
                nn += mf;
            }
            Policy::AccumulateSubsample => {
                // E[T_pool · T_D] = (M/N_train) E[T_pool · T_train] = (M/N_pool) E‖T_pool‖²
                // when the training set is a subsample of the pool (or the pool itself).
                let cross = mf / pn * pq;
                ps += sd;
                pq += 2.0 * cross + qd;
                pn += mf;
                let bp = ps / pn - pq / (pn * pn);
                s = mf / pn * ps;
                q = mf * bp * (pn - mf) / (pn - 1.0) + mf * mf * pq / (pn * pn);
                nn = mf;
            }
        }
    }
    out
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "truth",
            "mixture",
            &["gaussian", "mixture"],
            "generation 0: N(0, I) or two unit Gaussians `separation` apart",
        ),
        ParamSpec::int("dim", 1, 1, 3, "dimension"),
        ParamSpec::float(
            "separation",
            4.0,
            0.0,
            1e6,
            "distance between the two true means (truth mixture)",
        ),
        ParamSpec::int(
            "samples",
            100,
            2,
            1_000_000,
            "M: points drawn from each generation",
        ),
        ParamSpec::int(
            "generations",
            100,
            0,
            100_000,
            "fitted generations after the truth",
        ),
        ParamSpec::int(
            "replicates",
            200,
            1,
            1_000_000,
            "independent chains per workflow",
        ),
        ParamSpec::choice(
            "bandwidth",
            "fixed",
            BANDWIDTH_NAMES,
            "kernel covariance: h^2 I (fixed), or Silverman's / Scott's factor squared times the sample covariance (as scipy)",
        ),
        ParamSpec::float_above("h", 0.2, 0.0, 1e6, "the fixed bandwidth"),
        ParamSpec::text(
            "policies",
            "replace,accumulate,accumulate-subsample",
            "comma-separated workflows, each a series: replace | accumulate | accumulate-subsample",
        ),
    ]
}

fn parse_policies(text: &str) -> Result<Vec<&'static str>, ParamError> {
    let mut out = Vec::new();
    for s in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let w = WORKFLOWS.iter().find(|w| **w == s).ok_or_else(|| {
            ParamError::conflict(
                "policies",
                format!(
                    "`{s}` is not a workflow; valid: a comma-separated list of {}",
                    WORKFLOWS.join(" | ")
                ),
            )
        })?;
        if !out.contains(w) {
            out.push(*w);
        }
    }
    if out.is_empty() {
        return Err(ParamError::conflict(
            "policies",
            format!(
                "no workflow given; valid: a comma-separated list of {}",
                WORKFLOWS.join(" | ")
            ),
        ));
    }
    Ok(out)
}

fn validate(p: &Params) -> Result<(), ParamError> {
    let pol = parse_policies(p.text("policies"))?;
    let (m, g) = (p.usize("samples") as f64, p.int("generations") as f64);
    if pol.iter().any(|w| w.starts_with("accumulate")) && m * g > 5e7 {
        return Err(ParamError::conflict(
            "generations",
            format!(
                "accumulating workflows would pool {:.2e} points; valid: samples × generations <= 5e7",
                m * g
            ),
        ));
    }
    Ok(())
}

/// The truth of the experiment.
pub fn truth(kind: &str, dim: usize, separation: f64) -> Mixture {
    if kind == "gaussian" {
        return Mixture::single(Gaussian::isotropic(vec![0.0; dim], 1.0));
    }
    let mk = |s: f64| {
        let mut m = vec![0.0; dim];
        m[0] = s * separation / 2.0;
        Gaussian::isotropic(m, 1.0)
    };
    Mixture::new(vec![0.5, 0.5], vec![mk(-1.0), mk(1.0)])
}

/// Generations at which the cross-entropy is evaluated (it costs one kernel sum per training
/// point per node): 0, 1, 2, 5, 10, 20, 50, … and the last.
pub fn nll_steps(n: u64) -> Vec<u64> {
    let mut v = vec![0];
    let mut base = 1;
    while base <= n {
        for k in [1, 2, 5] {
            if k * base <= n {
                v.push(k * base);
            }
        }
        base *= 10;
    }
    if !v.contains(&n) {
        v.push(n);
    }
    v
}

/// Runs one KDE chain under `policy` and returns its records under `series`.
pub fn run_one(
    family: &KdeFamily,
    cfg: &ChainConfig,
    series: &'static str,
    r: u64,
    rng: &mut collapse_core::Rng,
) -> Vec<Record> {
    let truth = &family.truth;
    let m0 = truth.mean();
    let d = truth.dim();
    let steps = nll_steps(cfg.generations);
    let mut out = Vec::new();
    let _ = run_chain(family, cfg, rng, |g, model: &Density| {
        let (m, c) = model.mean_cov();
        let var = (0..d).map(|a| c[a * d + a]).sum::<f64>() / d as f64;
        out.push(Record::new(series, r, g, "var", var));
        out.push(Record::new(
            series,
            r,
            g,
            "mean_sq_error",
            m.iter().zip(&m0).map(|(a, b)| (a - b).powi(2)).sum(),
        ));
        out.push(Record::new(series, r, g, "bandwidth", model.bandwidth()));
        if steps.contains(&g) {
            let nodes = if d == 1 { 24 } else { 8 };
            out.push(Record::new(
                series,
                r,
                g,
                "nll",
                cross_entropy(truth, &|x| model.log_pdf(x), nodes),
            ));
        }
    });
    out
}

fn run(p: &Params, ctx: &RunContext<'_>) -> Result<RunOutput, ExperimentError> {
    let d = p.usize("dim");
    let t = truth(p.text("truth"), d, p.float("separation"));
    let bw = Bandwidth::parse(p.text("bandwidth"), p.float("h")).expect("validated by the spec");
    let family = KdeFamily {
        truth: t.clone(),
        bandwidth: bw,
    };
    let (m, n) = (p.usize("samples"), p.int("generations") as u64);
    let mut records = Vec::new();
    let mut theory = Vec::new();
    let v0 = t.var();
    let m0sq: f64 = t.mean().iter().map(|v| v * v).sum();
    for w in parse_policies(p.text("policies"))? {
        let policy = Policy::parse(w, 0.0)?;
        let cfg = ChainConfig {
            generations: n,
            samples: m,
            schedule: Schedule::Constant,
            policy,
            finite: true,
        };
        records.extend(ctx.replicates(w, p.int("replicates") as u64, |r, rng| {
            run_one(&family, &cfg, w, r, rng)
        }));
        for (g, v) in expected_var(policy, bw, d, m, v0, m0sq, n)
            .into_iter()
            .enumerate()
        {
            theory.push(TheoryRow::new(w, g as u64, "theory_var", v));
        }
    }
    Ok(RunOutput {
        records,
        theory,
        report: None,
    })
}

/// The experiment.
pub fn experiment() -> Experiment {
    Experiment {
        id: ID,
        title: "Recursive kernel density estimation: replace, accumulate, accumulate-subsample",
        about: "Generation 0 is the truth; generation n >= 1 is a Gaussian KDE (bandwidth fixed, Silverman or Scott) fitted to the training data of the workflow (Kazdan et al. 2024): replace (the last generation's M samples), accumulate (everything drawn so far) or accumulate-subsample (M points drawn without replacement from everything so far). Series: the workflow. Metrics per generation: var (tr Cov / dim of the KDE, exact given its points), mean_sq_error, bandwidth (sqrt(tr H / dim)), nll (cross-entropy E_truth[-ln p_n] by Gauss-Hermite quadrature, at generations 0, 1, 2, 5, 10, 20, 50, ... and the last); theory_var: the exact E[var_n] for every workflow and bandwidth rule.",
        params: params(),
        validate,
        work: |p| {
            p.int("replicates") as u64
                * parse_policies(p.text("policies")).map_or(1, |v| v.len() as u64)
        },
        run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_fixed_has_the_geometric_closed_form() {
        // E V_n = a^n σ² + h²(1 − a^n)/(1 − a), a = (M − 1)/M.
        let (m, h, v0) = (20usize, 0.5, 1.3);
        let a = (m as f64 - 1.0) / m as f64;
        let v = expected_var(Policy::Replace, Bandwidth::Fixed(h), 1, m, v0, 0.0, 10);
        for (n, vn) in v.iter().enumerate() {
            let an = a.powi(n as i32);
            let want = an * v0 + h * h * (1.0 - an) / (1.0 - a);
            assert!((vn - want).abs() < 1e-12, "{n}: {vn} vs {want}");
        }
        // Subsampling M of a pool of M is the pool: generation 1 agrees everywhere.
        let s = expected_var(
            Policy::AccumulateSubsample,
            Bandwidth::Fixed(h),
            1,
            m,
            v0,
            0.0,
            3,
        );
        let acc = expected_var(Policy::Accumulate, Bandwidth::Fixed(h), 1, m, v0, 0.0, 3);
        assert!((s[1] - v[1]).abs() < 1e-12 && (acc[1] - v[1]).abs() < 1e-12);
        assert_eq!(nll_steps(100), vec![0, 1, 2, 5, 10, 20, 50, 100]);
        assert_eq!(nll_steps(7), vec![0, 1, 2, 5, 7]);
    }
}
