//! The `gmm-chain` experiment: the Nature paper's GMM experiment.
//!
//! Two settings:
//! - `paper`: generation 0 is `components` separated Gaussians (unit covariance, means
//!   `separation` apart along the first axis, equal weights), as the paper describes;
//! - `notebook`: generation 0 is one isotropic blob `N(0, I_dim)` fitted with `fit_components`
//!   components, as the authors' notebook does (`make_blobs` with one 2-D centre).
//!
//! Every generation refits a `fit_components`-component mixture by EM (k-means++ start, the
//! tolerance on the mean log-likelihood, the iteration cap and the covariance floor of
//! scikit-learn's `GaussianMixture`) on `samples` points of the previous generation.
//!
//! - [`experiment`]: the parameters, the typed configuration [`Setup`] and the run;
//! - [`snapshot`]: the fitted models at the snapshot generations, typed for figures and as
//!   records for users.

pub mod experiment;
pub mod snapshot;

pub use experiment::{GmmChain, ID, SNAPSHOTS, Setting, Setup, parse_snapshots, truth};
pub use snapshot::{ChainSnapshots, Snapshot};
