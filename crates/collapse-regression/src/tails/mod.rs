//! A Tale of Tails (Dohmatob, Feng, Yang, Charton & Kempe, ICML 2024): a memorising learner on
//! Zipf data, $p_i \propto i^{-\beta}$ over $N$ items, trained on $T$ samples from a training
//! distribution $q$. The learner answers item $i$ correctly iff it has seen it, so its test error
//! is the $p$-mass of the unseen items, with expectation $E(T) = \sum_i p_i (1-q_i)^T$.
//!
//! - clean ($q = p$): $E \simeq A_\beta T^{-(1-1/\beta)}$;
//! - tail cut at rank $k$ ($q = p$ restricted to the top $k$): $E \to \sum_{i>k}p_i \asymp
//!   k^{-(\beta-1)}$, the scaling law stalls;
//! - tail narrowed ($q_i \propto i^{-\beta'}$, $\beta' > \beta$): $E \simeq A T^{-(\beta-1)/\beta'}$,
//!   a slower rate;
//! - a fraction $\pi$ of clean data mixed into the cut data ($q = (1-\pi)q_{cut} + \pi p$): the
//!   error first stalls at the cut's plateau, then recovers at the clean rate once $\pi T \gg
//!   k^\beta$, $E \asymp T^{-c} + \min\{k^{-(\beta-1)}, (\pi T)^{-c}\}$, $c = 1 - 1/\beta$;
//! - $n$ generations ([`CountLaw`], [`ChainSampler`]): generation $g$ is the empirical law of
//!   $T_0$ draws from generation $g-1$ (generation 0 is $p$) and the learner trains on generation
//!   $n$. The $p$-weighted law of the counts $T_0 q_{g,i}$ is exact by a banded Wright–Fisher
//!   recursion, and in the Poisson / Galton–Watson limit $E^{(n)} \simeq A\,T_{\mathrm{eff}}^{-c}$
//!   with $1/T_{\mathrm{eff}} \approx 1/T + n/(2T_0)$ for $T \ll T_0$ and
//!   $T_{\mathrm{eff}} \to T_0 s_n \approx 2T_0/(n+1)$ as $T \to \infty$ ([`effective_samples`]),
//!
//! with $A = \Gamma\big(\tfrac{\beta-1}{\beta'}\big)\,Z_{\beta'}^{(\beta-1)/\beta'}/(\beta' Z_\beta)$
//! ($Z$ the normalisers; $\beta' = \beta$ gives the clean constant), from
//! $\sum_i p_i e^{-Tq_i} \approx \int_0^\infty$ (notes §C; derivations in `proofs/regression.md` §5).
//!
//! - [`law`] holds the Zipf laws and the training distortions;
//! - [`theory`] holds the exact expectations, the asymptotic laws and the count law of the
//!   generations;
//! - [`simulation`] holds the memorising learner and the exactly drawn generation chain.

pub mod law;
pub mod simulation;
pub mod theory;

pub use law::{Tail, Zipf};
pub use simulation::{ChainSampler, Empirical, multinomial, suffix_sums};
pub use theory::{
    CountLaw, effective_samples, fresh_inputs_error, gamma, lower_gamma, upper_gamma,
};
