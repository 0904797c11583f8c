//! Every theorem of the mixture family and of the error-source taxonomy (Gaussian/mixture case)
//! as a registered check. Monte Carlo checks run the real chains (the core loop with this
//! crate's families) and compare with closed forms within `Z` standard errors; deterministic
//! checks compare a closed form with an independent computation (quadrature, a second formula).
//!
//! - [`em`]: EM's efficiency and monotonicity (`mixture.em-…`);
//! - [`kde`]: the KDE workflows' exact variance and the data sets' moments (`mixture.kde-…`);
//! - [`l2`]: the closed-form L2 distance (`mixture.l2-…`);
//! - [`sources`]: the error sources alone and combined (`sources.…`).

pub mod em;
pub mod kde;
pub mod l2;
pub mod sources;

use collapse_core::{Check, Sources};

/// Statistical and expressivity errors: finite samples, one Gaussian, unbiased variance.
const STATISTICAL_EXPRESSIVITY: Sources = Sources {
    statistical: true,
    expressivity: true,
    approximation: false,
};

/// All three sources: finite samples, one Gaussian, MLE variance.
const ALL: Sources = Sources {
    statistical: true,
    expressivity: true,
    approximation: true,
};

/// Every check of the family (`mixture.…`) and of the Gaussian/mixture error sources
/// (`sources.…`).
pub fn checks() -> Vec<Check> {
    vec![
        Check::new(
            "mixture.em-recovery",
            "EM (k-means++ start, 3 restarts, tol 1e-10) on n = 1000 points of 0.4 N(-1.5, 1) + 0.6 N(1.5, 0.5) recovers theta = (pi1, mu1, mu2, var1, var2) with the standard errors of the inverse Fisher information: mean over parameters of n (theta_hat_j - theta_j)^2 / (I^-1)_jj averages 1 (I by Gauss-Hermite quadrature of the score's outer product); allowance 0.05 for the O(1/n) second-order excess of the MLE's mean squared error (measured about 0.026 at n = 1000).",
            "Asymptotic efficiency of the MLE; Redner & Walker (1984), SIAM Review 26, mixture information matrix",
            em::em_recovery,
        ),
        Check::new(
            "mixture.em-monotone",
            "The mean log-likelihood never decreases across EM iterations (floor 0; 1-D two-component and 2-D three-component data, 200 iterations from k-means++): the largest decrease is <= 0 up to round-off (1e-12).",
            "Dempster, Laird & Rubin (1977), JRSS B 39, Theorem 1",
            em::em_monotone,
        ),
        Check::new(
            "mixture.kde-variance-replace",
            "A Gaussian KDE with fixed bandwidth h adds h^2 to the variance of its data; under replace with M points a generation, E[s^2_n] = a^n s^2_0 + h^2 (1 - a^n)/(1 - a), a = (M - 1)/M (M = 20, n = 10, h = 0.3, truth 0.5 N(-2,1) + 0.5 N(2,1)).",
            "Derived (proofs/mixtures.md); workflows of Kazdan et al. (2024), arXiv:2410.16713",
            kde::kde_replace,
        ),
        Check::new(
            "mixture.kde-variance-accumulate",
            "Under accumulate (every generation's M samples pooled, the KDE fitted on the pool), E[s^2_n] follows the exact linear recursion of (E sum x^2, E (sum x)^2) in proofs/mixtures.md (M = 20, n = 10, h = 0.3).",
            "Derived (proofs/mixtures.md); workflows of Kazdan et al. (2024), arXiv:2410.16713",
            kde::kde_accumulate,
        ),
        Check::new(
            "mixture.kde-variance-subsample",
            "Under accumulate-subsample (M points drawn without replacement from the pool), E[s^2_n] follows the exact recursion with the finite-population correction (N - M)/(N - 1) (M = 20, n = 10, h = 0.3).",
            "Derived (proofs/mixtures.md); workflows of Kazdan et al. (2024), arXiv:2410.16713",
            kde::kde_subsample,
        ),
        Check::new(
            "mixture.kde-variance-silverman",
            "With scipy's Silverman kernel H = f^2 s^2 (scaled by the sample variance), f = (3M/4)^(-1/5), the KDE chain under replace has E[s^2_n] = ((M - 1)/M + f^2)^n s^2_0: the variance grows geometrically (M = 20, n = 10).",
            "Derived (proofs/mixtures.md); Silverman (1986) rule of thumb as in scipy.stats.gaussian_kde",
            kde::kde_silverman,
        ),
        Check::new(
            "mixture.kde-variance-tophat",
            "A tophat kernel of radius h (uniform on the ball, scikit-learn's kernel='tophat') adds h^2/(d + 2) a coordinate; on the two moons (noise 0.05, d = 2) under replace, E[var_n] = a^n var_0 + (h^2/4)(1 - a^n)/(1 - a), a = (M - 1)/M, var_0 = tr Cov(moons)/2 in closed form (M = 20, n = 10, h = 0.3).",
            "Derived (proofs/mixtures.md); tophat kernel of Kazdan et al. (2024), arXiv:2410.16713",
            kde::kde_tophat,
        ),
        Check::new(
            "mixture.kde-variance-sklearn-scott",
            "With scikit-learn's Scott rule H = N^(-2/(d+4)) I (independent of the data's spread), on three 2-D blobs with centres uniform in [-10, 10]^2 drawn per chain, under accumulate E[var_n] follows the exact recursion with tr H = d N^(-2/(d+4)) for the pool size N, averaged over the centres by linearity (M = 20, n = 10).",
            "Derived (proofs/mixtures.md); bandwidth='scott' of sklearn.neighbors.KernelDensity",
            kde::kde_sklearn_scott,
        ),
        Check::new(
            "mixture.kde-dataset-moments",
            "The closed-form means and covariances of scikit-learn's two moons, concentric circles (factor 0.8) and Swiss roll (noise 0.05) equal Gauss-Legendre quadrature over their curve parameters (60 nodes a parameter) to 1e-12 of the largest moment.",
            "Derived (proofs/mixtures.md); make_moons, make_circles, make_swiss_roll of scikit-learn",
            kde::dataset_moments,
        ),
        Check::new(
            "mixture.l2-quadrature-1d",
            "The closed-form L2 distance int (p - q)^2 = sum a_i a_j N(mu_i; mu_j, S_i + S_j) - 2 sum a_i b_j N(mu_i; nu_j, S_i + T_j) + sum b_i b_j N(nu_i; nu_j, T_i + T_j) between a 3- and a 2-component 1-D mixture equals composite Simpson quadrature (400,000 intervals) to 1e-10.",
            "Gaussian product integral; the Nature paper's notebook (Normals_GMM_experiments.ipynb)",
            l2::l2_1d,
        ),
        Check::new(
            "mixture.l2-quadrature-2d",
            "The same closed form for two 2-D mixtures with full covariances equals tensor-product Simpson quadrature on [-10, 10]^2 to 1e-8.",
            "Gaussian product integral; the Nature paper's notebook (Normals_GMM_experiments.ipynb)",
            l2::l2_2d,
        ),
        Check::new(
            "sources.expressivity-kl",
            "Expressivity alone (infinite-sample mode, one Gaussian fitted to p_0 = 0.5 N(-2,1) + 0.5 N(2,1)): generation 1 is the moment-matched Gaussian and KL(p_0 || p_1) = 0.5 ln(2 pi e Var p_0) - H(p_0) exactly (chain's KL by Gauss-Hermite quadrature vs the formula with H(p_0) by Simpson quadrature, to 1e-9).",
            "Shumailov et al. (Nature 2024), functional expressivity error; moment matching minimises KL(p || N)",
            |c| sources::expressivity_kl(c, sources::EXPRESSIVITY),
        ),
        Check::new(
            "sources.expressivity-l2",
            "Expressivity alone: the chain's generation-1 L2 distance int (p_1 - p_0)^2 equals the closed form for the moment-matched Gaussian written from the mixture's parameters, to 1e-12.",
            "Shumailov et al. (Nature 2024), functional expressivity error",
            |c| sources::expressivity_l2(c, sources::EXPRESSIVITY),
        ),
        Check::new(
            "sources.expressivity-no-drift",
            "Expressivity alone, with no other source, changes nothing after generation 1: max over n = 2..200 of int (p_n - p_1)^2 is 0 (to 1e-12).",
            "Shumailov et al. (Nature 2024): 'in the absence of the other two types of error, this can only occur at the first generation'",
            |c| sources::expressivity_no_drift(c, sources::EXPRESSIVITY),
        ),
        Check::new(
            "sources.approximation-mle",
            "Approximation alone (infinite-sample mode, a Gaussian truth fitted by a Gaussian with the MLE variance, whose infinite-sample analogue is its expectation): sigma^2_n = ((M - 1)/M)^n sigma^2_0 exactly (M = 20, n = 20, to 1e-12).",
            "Shumailov et al. (Nature 2024), functional approximation error; E[MLE variance] = (M - 1)/M sigma^2",
            |c| sources::approximation_mle(c, true),
        ),
        Check::new(
            "sources.statistical-expressivity-variance",
            "Statistical + expressivity (M = 50 samples, one Gaussian with the unbiased variance fitted to p_0): E[sigma^2_n] = Var p_0 for every n >= 1 (a martingale from the moment-matched start; n = 5).",
            "Shumailov et al. (Nature 2024), Theorem 3.1 setting started from the expressivity error",
            |c| sources::statistical_expressivity(c, STATISTICAL_EXPRESSIVITY),
        ),
        Check::new(
            "sources.all-variance",
            "All three sources (M = 50 samples, one Gaussian, MLE variance): E[sigma^2_n] = ((M - 1)/M)^n Var p_0 (n = 5), the same curve as the infinite-sample approximation analogue.",
            "Shumailov et al. (Nature 2024), the three error sources compounding",
            |c| sources::all_sources(c, ALL),
        ),
    ]
}
