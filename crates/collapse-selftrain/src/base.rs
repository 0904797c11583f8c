//! Closed forms of the base model M₁ on questions it was not fitted to (test and OOD).
//!
//! A test or OOD question's logits are $z_j=\theta_j+\sigma\varepsilon_j$ with independent
//! standard normal $\varepsilon_j$, and its correctness is drawn independently of them. The
//! greedy answer is strategy $j$ with probability
//! $$P(\arg\max z=j)=\int\phi(x)\prod_{k\ne j}\Phi\Big(x+\frac{\theta_j-\theta_k}{\sigma}\Big)\,dx,$$
//! so the expected greedy accuracy on level-$l$ questions is
//! $\sum_jP(\arg\max z=j)\,P(j\text{ solves level }l)$, and over a level mix the weighted sum.
//! The integral is taken by Simpson's rule on $[-12,12]$ with 4000 intervals (the integrand is
//! smooth and negligible beyond); $\Phi$ by the series of erf for $|x|<2$ and the continued
//! fraction of erfc beyond (about 1e-14 absolute).

use crate::model::{PopulationSpec, Role};

/// $\mathrm{erfc}(x)$ to about 1e-14 absolute: the Maclaurin series of erf for $|x|<2$ (whose
/// alternating terms cancel to about $e^{x^2}$ ulps), the continued fraction of erfc (modified
/// Lentz) beyond.
pub fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        // erf(x) = 2/√π Σ (−1)ⁿ x^{2n+1} / (n! (2n+1)); the terms fall below 1e-17 of the sum
        // by n = 45 for x < 2.
        let mut term = x;
        let mut sum = x;
        for n in 1..200 {
            term *= -x * x / n as f64;
            let t = term / (2 * n + 1) as f64;
            sum += t;
            if t.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        return 1.0 - sum * std::f64::consts::FRAC_2_SQRT_PI;
    }
    // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))).
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for n in 1..500 {
        let a = n as f64 / 2.0;
        d = x + a * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = x + a / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / (f * std::f64::consts::PI.sqrt())
}

/// The standard normal distribution function $\Phi$.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// $P(\arg\max_j(\theta_j+\sigma\varepsilon_j)=j)$ for every $j$; with $\sigma=0$ the first
/// maximum of θ (the greedy tie-break). Strategies with equal logits share one integral.
pub fn greedy_probabilities(theta: &[f64], sigma: f64) -> Vec<f64> {
    let s = theta.len();
    if sigma <= 0.0 {
        let mut p = vec![0.0; s];
        p[crate::metrics::argmax(theta)] = 1.0;
        return p;
    }
    // Distinct logits and how many strategies have each.
    let mut groups: Vec<(f64, i32)> = Vec::new();
    for &t in theta {
        match groups.iter_mut().find(|g| g.0 == t) {
            Some(g) => g.1 += 1,
            None => groups.push((t, 1)),
        }
    }
    const INTERVALS: usize = 4000;
    const HALF_WIDTH: f64 = 12.0;
    let h = 2.0 * HALF_WIDTH / INTERVALS as f64;
    let density = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let per_group: Vec<f64> = groups
        .iter()
        .map(|&(tj, _)| {
            let mut sum = 0.0;
            for i in 0..=INTERVALS {
                let x = -HALF_WIDTH + i as f64 * h;
                let mut f = density(x);
                for &(tk, count) in &groups {
                    // The strategy itself is not among its competitors.
                    let n = if tk == tj { count - 1 } else { count };
                    if n > 0 {
                        f *= normal_cdf(x + (tj - tk) / sigma).powi(n);
                    }
                }
                let w = if i == 0 || i == INTERVALS {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                sum += w * f;
            }
            sum * h / 3.0
        })
        .collect();
    theta
        .iter()
        .map(|t| per_group[groups.iter().position(|g| g.0 == *t).expect("a group")])
        .collect()
}

/// The base model's expected greedy accuracy on test (`ood` false) or OOD questions of each
/// level 1..5, from the specification alone.
pub fn expected_accuracy_by_level(spec: &PopulationSpec, ood: bool) -> [f64; 5] {
    let s = spec.strategies;
    let theta: Vec<f64> = (0..s)
        .map(|j| spec.role_logits[spec.role(j) as usize])
        .collect();
    let greedy = greedy_probabilities(&theta, spec.phi_scale);
    [0, 1, 2, 3, 4].map(|l| {
        (0..s)
            .map(|j| {
                let solves = match spec.role(j) {
                    Role::Error => 0.0,
                    r => {
                        let t = if ood {
                            spec.ood_transfer[r as usize]
                        } else {
                            1.0
                        };
                        t * spec.correct_by_level[r as usize][l]
                    }
                };
                greedy[j] * solves
            })
            .sum()
    })
}

/// The base model's expected greedy pass@1 over the level mix of test (`ood` false) or OOD
/// questions.
pub fn expected_pass_1(spec: &PopulationSpec, ood: bool) -> f64 {
    let weights = if ood {
        &spec.ood_level_weights
    } else {
        &spec.level_weights
    };
    expected_accuracy_by_level(spec, ood)
        .iter()
        .zip(weights)
        .map(|(a, w)| a * w)
        .sum()
}

/// The base model's group disparity (acc L1 − acc L5) / acc L1 between the expected accuracies
/// of two levels (`None` when level 1 has none).
pub fn expected_disparity(spec: &PopulationSpec, ood: bool) -> Option<f64> {
    let a = expected_accuracy_by_level(spec, ood);
    (a[0] > 0.0).then(|| (a[0] - a[4]) / a[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_distribution_function_is_accurate() {
        // Reference values of Φ (from the C library's erfc).
        for (x, p) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_542_9),
            (-3.0, 0.001_349_898_031_630_095_7),
            (2.5, 0.993_790_334_674_223_8),
            (-6.0, 9.865_876_450_377_012e-10),
            (4.2, 0.999_986_654_250_984_1),
        ] {
            let got = normal_cdf(x);
            assert!((got - p).abs() < 1e-13 + 1e-11 * p, "{x}: {got} vs {p}");
        }
        // erfc itself, on both sides of the switch from series to continued fraction.
        for (x, e) in [
            (0.3, 0.671_373_240_540_872_6),
            (1.9, 0.007_209_570_764_742_532_5),
            (2.0, 0.004_677_734_981_047_265),
            (2.1, 0.002_979_466_656_332_984),
            (3.0, 2.209_049_699_858_543_8e-5),
            (5.0, 1.537_459_794_428_035_1e-12),
        ] {
            let got = erfc(x);
            assert!((got - e).abs() < 1e-15 + 1e-12 * e, "{x}: {got} vs {e}");
        }
        let below = erfc(2.0 - 1e-13);
        let above = erfc(2.0 + 1e-13);
        assert!((below - above).abs() < 1e-14, "{below} {above}");
    }

    #[test]
    fn greedy_probabilities_sum_to_one_and_are_symmetric() {
        // Equal logits: each strategy is the argmax with probability 1/S.
        let p = greedy_probabilities(&[0.0; 16], 1.5);
        for x in &p {
            assert!((x - 1.0 / 16.0).abs() < 1e-12, "{x}");
        }
        let p = greedy_probabilities(&[3.45, 0.0, 0.0, -1.0, 2.0], 1.5);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((p[1] - p[2]).abs() < 1e-15);
        assert!(p[0] > p[4] && p[4] > p[1] && p[1] > p[3]);
        // Two strategies: P(θ₀ + σε₀ > θ₁ + σε₁) = Φ((θ₀ − θ₁)/(σ√2)).
        let p = greedy_probabilities(&[1.0, 0.0], 1.5);
        assert!((p[0] - normal_cdf(1.0 / (1.5 * 2f64.sqrt()))).abs() < 1e-12);
        assert_eq!(greedy_probabilities(&[1.0, 2.0, 2.0], 0.0), [0.0, 1.0, 0.0]);
    }
}
