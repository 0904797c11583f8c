//! The metric names the family writes, shared by its experiments, checks, figures and tests.
//!
//! Per-index metrics are numbered with zero-padded indices (`eigenvalue_01` … `eigenvalue_64`,
//! `class_share_0` … `class_share_9`), so that their order as text is their numeric order.

/// `tr Cₙ`, the total variance of generation n's covariance `Cₙ = WWᵀ + σ²I`.
pub const TRACE: &str = "trace";
/// `ln det Cₙ`.
pub const LOG_DET: &str = "log_det";
/// `σ²ₙ`, the isotropic noise variance of the decoder (the discarded variance per direction).
pub const SIGMA2: &str = "sigma2";
/// The encoder's posterior variance, averaged over the latent dimensions: the posterior of
/// `z | x` is `N(Vx + b, diag(v))` and this is `mean(v)`.
pub const LATENT_POSTERIOR_VAR: &str = "latent_posterior_var";
/// The spread of the latent codes that generation 0's encoder gives generation n's samples:
/// `sqrt(tr(V₀ Cₙ V₀ᵀ)/q)`, the notebook's "latents as perceived by the original encoder".
pub const LATENT_CODE_SD: &str = "latent_code_sd";
/// The Fréchet distance (squared W₂ between Gaussians) from `N(cₙ, Cₙ)` to the Gaussian of the
/// real digits, in squared pixel units.
pub const FRECHET: &str = "frechet";
/// `‖cₙ − m‖²`, the squared distance of the model's mean image to the real digits' mean.
pub const MEAN_SQ_ERROR: &str = "mean_sq_error";
/// Nats per image by which the trained ELBO falls short of the closed-form optimum on the same
/// data (linear VAE only).
pub const ELBO_GAP: &str = "elbo_gap";
/// The closed-form expectation of [`TRACE`].
pub const THEORY_TRACE: &str = "theory_trace";
/// The closed-form expectation of [`MEAN_SQ_ERROR`].
pub const THEORY_MEAN_SQ_ERROR: &str = "theory_mean_sq_error";
/// The closed-form value of [`SIGMA2`] where there is one (the infinite-sample mode).
pub const THEORY_SIGMA2: &str = "theory_sigma2";
/// The closed-form value of [`FRECHET`] where there is one (the infinite-sample mode).
pub const THEORY_FRECHET: &str = "theory_frechet";

/// `eigenvalue_KK`: the k-th largest eigenvalue of `Cₙ` (k from 1, two digits).
pub fn eigenvalue(k: usize) -> String {
    format!("eigenvalue_{k:02}")
}

/// `class_share_C`: the fraction of generated digits the fixed nearest-centroid classifier
/// assigns to class C.
pub fn class_share(c: usize) -> String {
    format!("class_share_{c}")
}

/// `recon_accuracy_C`: the classifier's accuracy on the real digits of class C after they pass
/// through generation n's encoder (posterior mean) and decoder (mean image).
pub fn recon_accuracy(c: usize) -> String {
    format!("recon_accuracy_{c}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_names_sort_as_their_indices() {
        let mut e: Vec<String> = (1..=64).map(eigenvalue).collect();
        let sorted = {
            let mut s = e.clone();
            s.sort();
            s
        };
        assert_eq!(e, sorted);
        e.dedup();
        assert_eq!(e.len(), 64);
        assert_eq!(class_share(9), "class_share_9");
    }
}
