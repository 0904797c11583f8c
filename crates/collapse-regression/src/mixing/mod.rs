//! Mixing real and synthetic data (Strong Model Collapse, Sec. 5): weighted single-step mixing
//! (Fig. 9) and iterative mixing (Fig. 10), for least squares ($\lambda = 0$, $n_1, n_2 > d$).
//!
//! Setting as in [`crate::theory`]: $x \sim N(0,\Sigma)$, real labels $x^\top w + \epsilon$,
//! synthetic labels $x^\top(w+\delta) + \epsilon$ with $\delta \sim N(0, (c^2/d)\Sigma^{-1})$,
//! $n_2 = \mathrm{round}(p_2 n)$ synthetic rows.
//!
//! - **Weighted single-step mixing.** Weighted least squares with weight $\omega_1 =
//!   (1-\alpha)/p_1$ on real rows and $\omega_2 = \alpha/p_2$ on synthetic rows:
//!   $\hat w = R y$, $R = (X^\top\Omega X)^{-1}X^\top\Omega$. $\alpha = p_2$ is the plain mix.
//!   Population limit: $X^\top\Omega X/n \to \Sigma$ and $X^\top\Omega X_2\delta/n \to
//!   \alpha\Sigma\delta$, so $\hat w \to w + \alpha\delta$ and the floor is $\alpha^2c^2$
//!   ([`theory::weighted_floor`]). The proportional-regime equivalent is
//!   [`theory::weighted_equivalent`], its first order in $\phi = d/n$ is
//!   [`theory::weighted_first_order`].
//! - **Iterative mixing.** Round $t$ fits least squares on fresh real rows and fresh synthetic
//!   rows labelled by the round $t-1$ model, $\hat w_0 = w + \delta$. With $e_t = \hat w_t - w$,
//!   $e_t = H_te_{t-1} + R_t\epsilon_t$, $H_t = (X^\top X)^{-1}X_2^\top X_2$, so
//!   $E_t = h E_{t-1} + v$ exactly, with $h = \zeta_1/c^2$ and $v$ the one-step variance, both
//!   closed forms at finite $n$ ([`theory::ols_shift_factor`], [`theory::ols_variance`],
//!   [`theory::iterative_error`]).
//! - **Iterative mixing with reused data** (`real_data = reused`). The design $X = [X_1; X_2]$
//!   and the real labels are fixed across rounds; only the synthetic label noise is fresh. Then
//!   $e_t = Ae_{t-1} + BX_1^\top\epsilon_1 + BX_2^\top\epsilon_{2,t}$, $B = (X^\top X)^{-1}$,
//!   $A = BX_2^\top X_2$: exact per design over $\delta$ and the noise
//!   ([`simulation::reused_draw`], checked against literal refits
//!   [`simulation::reused_literal`]); the $t \to \infty$ limit is the real half's error plus
//!   $\tfrac12\sigma^2\mathrm{tr}[G_1^{-1} - (G_1+2G_2)^{-1}] > 0$ ([`theory::reused_limit`]),
//!   about $(1+2p_2)/(1+p_2)$ times the real half's error.
//!
//! Everything is invariant under $x \to \Sigma^{-1/2}x$ (least squares, $\Delta \propto
//! \Sigma^{-1}$, error in the $\Sigma$-norm), so the closed forms do not depend on $\Sigma$.
//! The Monte Carlo draws the designs and averages exactly over $w$, $\delta$ and the noise.
//!
//! - [`theory`] holds the closed forms;
//! - [`simulation`] holds the Monte Carlo (the weighted map, the iterative recursions, the
//!   literal refits);
//! - the experiment `regression-mixing` is [`crate::experiments::mixing`].

pub mod simulation;
pub mod theory;
