//! The closed forms of A Tale of Tails: the exact expected error $\sum_i p_i(1-q_i)^T$ and its
//! asymptotic laws (through the gamma functions), the exact law of the counts after $n$
//! generations ([`CountLaw`]) and the Galton–Watson effective sample size.

use super::law::{Tail, Zipf, normaliser};

impl Zipf {
    /// Exact $E(T) = \sum_i p_i(1-q_i)^T$.
    pub fn expected_error(&self, t: f64) -> f64 {
        // (1-q)^T = exp(T ln(1-q)); ln_1p keeps small q exact.
        self.p
            .iter()
            .zip(&self.q)
            .rev()
            .map(|(p, q)| p * (t * (-q).ln_1p()).exp())
            .sum()
    }

    /// The mass of the items the training distribution never shows: $\sum_{q_i = 0} p_i$.
    pub fn unreachable_mass(&self) -> f64 {
        self.p
            .iter()
            .zip(&self.q)
            .rev()
            .filter(|(_, q)| **q == 0.0)
            .map(|(p, _)| p)
            .sum()
    }

    /// The asymptotic law from the integral approximation: $A\,T^{-(\beta-1)/\beta'}$ for the clean
    /// and narrowed tails; for a tail cut at $k$, the head integral stops at $k$, giving
    /// $\frac{1}{\beta Z_\beta}(T/Z_k)^{-c}\,\Gamma(1-1/\beta, Tk^{-\beta}/Z_k)$ (upper incomplete
    /// gamma), plus the unreachable mass $\sum_{i>k}p_i$. For the mixed law the head ($i \le k$,
    /// $q_i = r\,i^{-\beta}$ with $r = (1-\pi)/Z_k + \pi/Z_\beta$) integrates the same way, and
    /// the tail ($q_i = \pi p_i$) gives $\frac{1}{\beta Z_\beta}(\pi T/Z_\beta)^{-c}\,
    /// [\gamma(c, \pi T k^{-\beta}/Z_\beta) - \gamma(c, \pi T N^{-\beta}/Z_\beta)]$ (lower
    /// incomplete gamma): about $\sum_{i>k}p_i$ while $\pi T \ll k^\beta$, then the clean law
    /// $A(\pi T)^{-c}$.
    pub fn asymptotic(&self, t: f64) -> f64 {
        let n = self.p.len();
        let beta = self.beta;
        let zp = self.norm;
        match self.tail {
            Tail::Mixed { k, pi } => {
                let k = k.min(n);
                let zk = normaliser(k, beta);
                let c = 1.0 - 1.0 / beta;
                let kb = (k as f64).powf(-beta);
                let r = (1.0 - pi) / zk + pi / zp;
                let head = (t * r).powf(-c) * upper_gamma(c, t * r * kb) / (beta * zp);
                let tail = if pi > 0.0 {
                    let s = pi * t / zp;
                    let nb = (n as f64).powf(-beta);
                    s.powf(-c) * (lower_gamma(c, s * kb) - lower_gamma(c, s * nb)) / (beta * zp)
                } else {
                    self.unreachable_mass()
                };
                head + tail
            }
            Tail::Cut(k) => {
                let k = k.min(n);
                let zk = normaliser(k, beta);
                let c = 1.0 - 1.0 / beta;
                let uk = t * (k as f64).powf(-beta) / zk;
                (t / zk).powf(-c) * upper_gamma(c, uk) / (beta * zp) + self.unreachable_mass()
            }
            _ => {
                let (bq, zq) = match self.tail {
                    Tail::Narrowed(b) => (b, normaliser(n, b)),
                    _ => (beta, zp),
                };
                let e = (beta - 1.0) / bq;
                gamma(e) * zq.powf(e) / (bq * zp) * t.powf(-e)
            }
        }
    }

    /// The scaling exponent $(\beta-1)/\beta'$ of the law (clean and cut: $1 - 1/\beta$).
    pub fn exponent(&self) -> f64 {
        match self.tail {
            Tail::Narrowed(b) => (self.beta - 1.0) / b,
            _ => 1.0 - 1.0 / self.beta,
        }
    }
}

/// $\Gamma(x)$ for $x > 0$ (Lanczos, g = 7, 9 terms; relative error ~1e-15).
pub fn gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

/// The lower incomplete gamma function $\gamma(a, x) = \int_0^x u^{a-1}e^{-u}du$ for $a > 0$,
/// $x \ge 0$: the series $x^a e^{-x}\sum_n x^n/(a(a+1)\cdots(a+n))$ for $x < a + 1$ (no
/// cancellation for small $x$), $\Gamma(a) - \Gamma(a, x)$ otherwise.
pub fn lower_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x < a + 1.0 {
        lower_gamma_series(a, x)
    } else {
        gamma(a) - upper_gamma(a, x)
    }
}

/// $\gamma(a, x)$ by its series $x^a e^{-x}\sum_n x^n/(a(a+1)\cdots(a+n))$, which converges
/// fast for $x < a + 1$.
fn lower_gamma_series(a: f64, x: f64) -> f64 {
    let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
    for _ in 0..1000 {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * 1e-17 {
            break;
        }
    }
    sum * (-x + a * x.ln()).exp()
}

/// The upper incomplete gamma function $\Gamma(a, x)$ for $a > 0$, $x \ge 0$: the series of the
/// lower function for $x < a + 1$, Lentz's continued fraction otherwise.
pub fn upper_gamma(a: f64, x: f64) -> f64 {
    let g = gamma(a);
    if x <= 0.0 {
        return g;
    }
    let log_pref = -x + a * x.ln();
    if x < a + 1.0 {
        (g - lower_gamma_series(a, x)).max(0.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_pref.exp() * h
    }
}

/// The law $\mathrm{Bin}(n, a)$ on the band where it exceeds $e^{-50}$ times its value at the
/// mode, normalised over the band (the mass outside is below $10^{-19}$), written into `out`;
/// returns the band's first count. Each term follows from its neighbour by the ratio
/// $\frac{n-y}{y+1}\frac{a}{1-a}$, so no factorial is evaluated and the row sums to 1 to rounding.
fn binomial_band(n: usize, a: f64, out: &mut Vec<f64>) -> usize {
    out.clear();
    out.push(1.0);
    if a <= 0.0 || n == 0 {
        return 0;
    }
    if a >= 1.0 {
        return n;
    }
    const FLOOR: f64 = 1.9e-22;
    let r = a / (1.0 - a);
    let m = (((n + 1) as f64 * a) as usize).min(n);
    let (mut y, mut w) = (m, 1.0f64);
    while y > 0 && w >= FLOOR {
        w *= y as f64 / ((n - y + 1) as f64 * r);
        y -= 1;
    }
    let lo = y;
    out.clear();
    let mut sum = 0.0;
    loop {
        out.push(w);
        sum += w;
        if y == n || (y >= m && w < FLOOR) {
            break;
        }
        w *= (n - y) as f64 / (y + 1) as f64 * r;
        y += 1;
    }
    out.iter_mut().for_each(|v| *v /= sum);
    lo
}

/// The exact $p$-weighted law of the counts after $g$ generations,
/// $v_g(x) = \sum_i p_i\,P(T_0 q_{g,i} = x)$, $x = 0..T_0$. The count of one item is itself a
/// Markov chain (the marginal of a multinomial is a binomial): $X_1 \sim \mathrm{Bin}(T_0, p_i)$
/// and $X_g \mid X_{g-1} \sim \mathrm{Bin}(T_0, X_{g-1}/T_0)$, a neutral Wright–Fisher chain whose
/// transition does not depend on the item. So $v_1 = \sum_i p_i\,\mathrm{Bin}(T_0, p_i)$ and
/// $v_g = v_{g-1} P$, and every expectation of a sum $\sum_i p_i f(q_{g,i})$ is
/// $\sum_x v_g(x) f(x/T_0)$ by linearity. Rows are banded (`binomial_band`), so a generation
/// costs about $20\,T_0^{3/2}$ operations and the first $\sum_i$(band of $p_i$).
#[derive(Clone, Debug, PartialEq)]
pub struct CountLaw {
    /// $T_0$.
    pub t0: usize,
    /// The generation $g \ge 1$.
    pub generation: usize,
    /// $v_g(0..=T_0)$.
    pub v: Vec<f64>,
}

impl CountLaw {
    /// Generation 1 from the test law `p`.
    pub fn first(p: &[f64], t0: usize) -> Self {
        let mut v = vec![0.0; t0 + 1];
        let mut band = Vec::new();
        for &x in p.iter().rev() {
            let lo = binomial_band(t0, x, &mut band);
            for (slot, b) in v[lo..].iter_mut().zip(&band) {
                *slot += x * b;
            }
        }
        Self {
            t0,
            generation: 1,
            v,
        }
    }

    /// The next generation: $v_{g+1} = v_g P$.
    pub fn next(&self) -> Self {
        let t0 = self.t0;
        let mut v = vec![0.0; t0 + 1];
        let mut band = Vec::new();
        for (x, &m) in self.v.iter().enumerate().rev() {
            if m == 0.0 {
                continue;
            }
            let lo = binomial_band(t0, x as f64 / t0 as f64, &mut band);
            for (slot, b) in v[lo..].iter_mut().zip(&band) {
                *slot += m * b;
            }
        }
        Self {
            t0,
            generation: self.generation + 1,
            v,
        }
    }

    /// Generation `n` ($\ge 1$) from `p`.
    pub fn after(p: &[f64], t0: usize, n: usize) -> Self {
        let mut law = Self::first(p, t0);
        while law.generation < n {
            law = law.next();
        }
        law
    }

    /// $E^{(g)}(T) = \mathbb E\sum_i p_i (1 - q_{g,i})^T = \sum_x v_g(x)(1 - x/T_0)^T$.
    pub fn expected_error(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return self.v.iter().rev().sum();
        }
        let t0 = self.t0 as f64;
        self.v
            .iter()
            .enumerate()
            .rev()
            .map(|(x, &m)| m * (t * (-(x as f64) / t0).ln_1p()).exp())
            .sum()
    }

    /// The expected test mass lost by generation $g$: $\sum_i p_i P(q_{g,i} = 0) = v_g(0)$, the
    /// limit of the error as $T \to \infty$.
    pub fn lost_mass(&self) -> f64 {
        self.v[0]
    }
}

/// The other reading of the $n$-generation row, **fresh inputs and propagated labels**: each
/// generation draws $T_0$ fresh items from $p$ and learns the labels its predecessor gives them,
/// so an item is still labelled right at generation $n$ only if it was drawn in every one of the
/// $n$ generations (a wrong label, once learnt, is what the next generation learns). Given that,
/// the learner trained on $T$ items labelled by generation $n$ errs on
/// $E^{(n)}_{\mathrm{fresh}}(T) = \sum_i p_i\big[1 - (1-(1-p_i)^T)(1-(1-p_i)^{T_0})^n\big]$,
/// exactly; $T = \infty$ gives its plateau, the mass lost by generation $n$ (`t = None`).
pub fn fresh_inputs_error(p: &[f64], t0: f64, n: u64, t: Option<f64>) -> f64 {
    p.iter()
        .rev()
        .map(|&pi| {
            let miss = |k: f64| (k * (-pi).ln_1p()).exp();
            let learnt = t.map_or(1.0, |t| 1.0 - miss(t));
            // 1 − (1 − m)^n without cancellation for small m = (1 − p)^T0.
            let kept = (n as f64 * (-miss(t0)).ln_1p()).exp();
            pi * (1.0 - learnt * kept)
        })
        .sum()
}

/// The effective sample size of the $n$-generation law in the Poisson / Galton–Watson limit:
/// $T_{\mathrm{eff}} = T_0\,\big(1 - \varphi^{\circ(n-1)}(e^{-T/T_0})\big)$ with
/// $\varphi(z) = e^{z-1}$ (the Poisson(1) offspring generating function), so that
/// $E^{(n)}(T) \approx \sum_i p_i e^{-p_i T_{\mathrm{eff}}}$; $n = 0$ gives $T$. For
/// $T \to \infty$ it tends to $T_0 s_n$, $s_n = 1 - \varphi^{\circ(n-1)}(0) \approx 2/(n+1)$.
pub fn effective_samples(t0: f64, n: usize, t: f64) -> f64 {
    if n == 0 {
        return t;
    }
    // ε_0 = 1 − e^{−T/T0}, ε_{m+1} = 1 − φ(1 − ε_m) = 1 − e^{−ε_m}.
    let mut e = -(-t / t0).exp_m1();
    for _ in 1..n {
        e = -(-e).exp_m1();
    }
    t0 * e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tails::law::zipf;

    #[test]
    fn gamma_values() {
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-13);
        assert!((gamma(5.0) - 24.0).abs() < 1e-11);
        assert!((gamma(1.0 / 3.0) - 2.678_938_534_707_747_6).abs() < 1e-12);
    }

    #[test]
    fn incomplete_gamma_values() {
        // Γ(1, x) = e^{-x}; Γ(1/2, x) = √π erfc(√x).
        for x in [0.1f64, 1.0, 3.0, 20.0] {
            assert!((upper_gamma(1.0, x) - (-x).exp()).abs() < 1e-14 * (1.0 + (-x).exp()));
        }
        assert!((upper_gamma(0.5, 1.0) - 0.278_805_585_280_654_74).abs() < 1e-13);
        assert!((upper_gamma(0.5, 4.0) - 0.008_291_069_380_672_684).abs() < 1e-14);
    }

    #[test]
    fn asymptotic_law_approaches_the_exact_sum() {
        let z = Zipf::new(1_000_000, 2.0, Tail::Cut(200));
        for t in [1e3, 3e4, 1e6] {
            let r = z.asymptotic(t) / z.expected_error(t);
            assert!((r - 1.0).abs() < 0.03, "{t}: {r}");
        }
        let z = Zipf::new(1_000_000, 2.0, Tail::Clean);
        let r = z.asymptotic(1e5) / z.expected_error(1e5);
        assert!((r - 1.0).abs() < 0.02, "{r}");
        let z = Zipf::new(1_000_000, 2.0, Tail::Narrowed(3.0));
        let r = z.asymptotic(1e5) / z.expected_error(1e5);
        assert!((r - 1.0).abs() < 0.02, "{r}");
    }

    #[test]
    fn lower_incomplete_gamma_values() {
        // γ(1, x) = 1 − e^{−x}; γ(1/2, 1) = √π erf(1); γ + Γ = Γ(a).
        for x in [1e-6f64, 0.1, 1.0, 3.0, 20.0] {
            assert!(
                (lower_gamma(1.0, x) + (-x).exp_m1()).abs()
                    < 1e-15 * (1.0 - (-x).exp()).max(1e-300) + 1e-17
            );
        }
        assert!((lower_gamma(0.5, 1.0) - 1.493_648_265_624_854).abs() < 1e-13);
        for x in [0.2, 5.0] {
            let a = 1.0 / 3.0;
            assert!((lower_gamma(a, x) + upper_gamma(a, x) - gamma(a)).abs() < 1e-13);
        }
    }

    #[test]
    fn mixed_law_interpolates_cut_and_clean() {
        let cut = Zipf::new(5000, 1.5, Tail::Cut(40));
        let m0 = Zipf::new(5000, 1.5, Tail::Mixed { k: 40, pi: 0.0 });
        let m1 = Zipf::new(5000, 1.5, Tail::Mixed { k: 40, pi: 1.0 });
        assert_eq!(m0.q, cut.q);
        assert_eq!(m1.q, m1.p);
        // The exact decomposition: items beyond k are seen at rate π p_i only, items within k
        // at least at rate p_i, so  R ≤ E_mix ≤ E_clean + R  with  R = Σ_{i>k} p_i (1 − π p_i)^T.
        let (k, pi) = (40, 0.1);
        let mix = Zipf::new(5000, 1.5, Tail::Mixed { k, pi });
        let clean = Zipf::new(5000, 1.5, Tail::Clean);
        for t in [10.0, 1e3, 1e5, 1e7] {
            let r: f64 = mix.p[k..]
                .iter()
                .rev()
                .map(|x| x * (t * (-pi * x).ln_1p()).exp())
                .sum();
            let e = mix.expected_error(t);
            assert!(r <= e * (1.0 + 1e-12) && e <= (clean.expected_error(t) + r) * (1.0 + 1e-12));
        }
        // q sums to 1.
        assert!((mix.q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn mixed_asymptotic_law_approaches_the_exact_sum() {
        for pi in [0.01, 0.2] {
            let z = Zipf::new(1_000_000, 2.0, Tail::Mixed { k: 50, pi });
            for t in [1e3, 1e5, 1e7] {
                let r = z.asymptotic(t) / z.expected_error(t);
                // Observed at most 0.9 %.
                assert!((r - 1.0).abs() < 0.015, "π = {pi}, T = {t}: {r}");
            }
        }
    }

    /// $\ln k!$ by summing logarithms.
    fn ln_fact(k: usize) -> f64 {
        (2..=k).map(|i| (i as f64).ln()).sum()
    }

    #[test]
    fn count_law_matches_the_enumerated_multinomial_chain() {
        // Every composition of T0 = 5 into N = 3 items, the exact multinomial transition
        // between them, and E Σ p_i (1 − c_i/T0)^T by brute force over the joint law.
        let p = zipf(3, 1.5);
        let t0 = 5usize;
        let mut states = Vec::new();
        for a in 0..=t0 {
            for b in 0..=t0 - a {
                states.push([a, b, t0 - a - b]);
            }
        }
        let mult = |c: &[usize; 3], q: &[f64]| -> f64 {
            let mut lp = ln_fact(t0);
            for i in 0..3 {
                lp -= ln_fact(c[i]);
                if c[i] > 0 {
                    lp += c[i] as f64 * q[i].ln();
                }
            }
            lp.exp()
        };
        let mut dist: Vec<f64> = states.iter().map(|c| mult(c, &p)).collect();
        for n in 1..=3 {
            let law = CountLaw::after(&p, t0, n);
            for t in [0.0, 1.0, 7.0, 40.0] {
                let brute: f64 = states
                    .iter()
                    .zip(&dist)
                    .map(|(c, pr)| {
                        pr * (0..3)
                            .map(|i| p[i] * (1.0 - c[i] as f64 / t0 as f64).powf(t))
                            .sum::<f64>()
                    })
                    .sum();
                let exact = law.expected_error(t);
                assert!(
                    (exact - brute).abs() < 1e-14,
                    "n = {n}, T = {t}: {exact} vs {brute}"
                );
            }
            let lost: f64 = states
                .iter()
                .zip(&dist)
                .map(|(c, pr)| pr * (0..3).filter(|&i| c[i] == 0).map(|i| p[i]).sum::<f64>())
                .sum();
            assert!((law.lost_mass() - lost).abs() < 1e-15, "n = {n}");
            // One more multinomial step.
            dist = states
                .iter()
                .map(|to| {
                    states
                        .iter()
                        .zip(&dist)
                        .map(|(from, pr)| {
                            let q: Vec<f64> = from.iter().map(|&c| c as f64 / t0 as f64).collect();
                            let ok = (0..3).all(|i| q[i] > 0.0 || to[i] == 0);
                            if ok { pr * mult(to, &q) } else { 0.0 }
                        })
                        .sum()
                })
                .collect();
        }
    }

    #[test]
    fn first_generation_is_the_full_binomial_sum() {
        // n = 1: E = Σ_i p_i Σ_x C(T0,x) p_i^x (1−p_i)^(T0−x) (1 − x/T0)^T, every term from
        // log-factorials (no band, no recurrence); and the lost mass Σ p_i (1 − p_i)^T0 is the
        // clean error at T0.
        let z = Zipf::new(300, 1.2, Tail::Clean);
        let t0 = 250usize;
        let law = CountLaw::first(&z.p, t0);
        for t in [10.0, 300.0, 5000.0] {
            let direct: f64 =
                z.p.iter()
                    .rev()
                    .map(|&pi| {
                        pi * (0..=t0)
                            .map(|x| {
                                let lp = ln_fact(t0) - ln_fact(x) - ln_fact(t0 - x)
                                    + x as f64 * pi.ln()
                                    + (t0 - x) as f64 * (-pi).ln_1p();
                                (lp + t * (-(x as f64) / t0 as f64).ln_1p()).exp()
                            })
                            .sum::<f64>()
                    })
                    .sum();
            let exact = law.expected_error(t);
            assert!(
                (exact / direct - 1.0).abs() < 1e-12,
                "T = {t}: {exact} vs {direct}"
            );
        }
        let clean = z.expected_error(t0 as f64);
        assert!((law.lost_mass() / clean - 1.0).abs() < 1e-12);
        assert!((law.v.iter().sum::<f64>() - 1.0).abs() < 1e-13);
    }

    #[test]
    fn fresh_inputs_reading_matches_its_simulation() {
        // The process itself: n generations of T0 fresh draws, an item still right only if
        // drawn every time, then a learner of T draws; averaged over 20000 runs.
        use crate::tails::simulation::{multinomial, suffix_sums};
        let z = zipf(3000, 1.5);
        let (t0, n, t) = (300u64, 5u64, 2000u64);
        let s = suffix_sums(&z);
        let (m, se) = collapse_core::check::monte_carlo("fresh-inputs", 20_000, |rng| {
            let mut right = vec![true; z.len()];
            let mut out = Vec::new();
            for _ in 0..n {
                multinomial(&z, &s, t0, rng, &mut out);
                let mut seen = vec![false; z.len()];
                out.iter().for_each(|&(i, _)| seen[i as usize] = true);
                right.iter_mut().zip(&seen).for_each(|(r, &v)| *r &= v);
            }
            multinomial(&z, &s, t, rng, &mut out);
            let learnt: f64 = out
                .iter()
                .filter(|&&(i, _)| right[i as usize])
                .map(|&(i, _)| z[i as usize])
                .sum();
            1.0 - learnt
        });
        let exact = fresh_inputs_error(&z, t0 as f64, n, Some(t as f64));
        let o = collapse_core::Outcome::monte_carlo(exact, m, se);
        assert!(o.pass(), "{o:?}");
        // The resampling chain's error at the same n is another number.
        let chain = CountLaw::after(&z, t0 as usize, n as usize).expected_error(t as f64);
        assert!(!o.with_prediction(chain).pass(), "{chain}");
    }

    #[test]
    fn linear_law_bounds_both_readings_and_their_growth_differs() {
        for (beta, t0) in [(1.5, 200usize), (2.0, 1000), (3.0, 300)] {
            let p = zipf(50_000, beta);
            let mut law = CountLaw::first(&p, t0);
            let l1 = law.lost_mass();
            assert!((fresh_inputs_error(&p, t0 as f64, 1, None) - l1).abs() < 1e-12);
            for n in 1..=32u64 {
                let fresh = fresh_inputs_error(&p, t0 as f64, n, None);
                assert!(
                    law.lost_mass() <= n as f64 * l1 * (1.0 + 1e-12),
                    "{beta} {t0} {n}"
                );
                assert!(fresh <= n as f64 * l1 * (1.0 + 1e-12));
                law = law.next();
            }
        }
        // Fresh inputs: growth like (ln n)^c, c = 1 − 1/β; over n = 10² … 10⁴ the ratio to
        // (ln n)^c stays within 15 % while n^c grows 10×.
        let (beta, t0) = (2.0, 10_000.0);
        let p = zipf(1_000_000, beta);
        let c = 1.0 - 1.0 / beta;
        let ratio = |n: u64| fresh_inputs_error(&p, t0, n, None) / (n as f64).ln().powf(c);
        let (a, b) = (ratio(100), ratio(10_000));
        assert!((b / a - 1.0).abs() < 0.15, "{a} {b}");
    }

    #[test]
    fn galton_watson_law_approaches_the_exact_generations() {
        let clean = Zipf::new(200_000, 2.0, Tail::Clean);
        let t0 = 2000;
        let mut law = CountLaw::first(&clean.p, t0);
        for n in 1..=8 {
            if [1, 2, 4, 8].contains(&n) {
                for t in [1e2, 1e3, 1e4, 1e6] {
                    let teff = effective_samples(t0 as f64, n, t);
                    let r = clean.asymptotic(teff) / law.expected_error(t);
                    // Observed at most 0.5 %.
                    assert!((r - 1.0).abs() < 0.01, "n = {n}, T = {t}: {r}");
                }
            }
            law = law.next();
        }
        assert_eq!(effective_samples(100.0, 0, 7.0), 7.0);
        // s_n = 1 − φ^(n−1)(0) → 2/n.
        let s = effective_samples(1.0, 2000, f64::INFINITY);
        assert!((s * 2000.0 / 2.0 - 1.0).abs() < 0.01, "{s}");
    }
}
