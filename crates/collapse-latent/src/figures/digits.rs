//! `latent-digits-grid`: the generated digits of one chain, generation by generation.
//!
//! Each column decodes one fixed latent code: the code generation 0's encoder gives a real
//! digit of that class (shown in the top row). A latent-variable model is only defined up to a
//! rotation of its latent space, so each generation's decoder is rotated (orthogonal Procrustes)
//! to the previous one's before decoding; the model's distribution does not change, and a column
//! follows its code from generation to generation. The images are the decoder's mean `c + W z`
//! (as VAE samples are usually shown; the pixel noise `σ ε` is left out).

use super::image_grid::{Block, ImageGrid};
use crate::data::RealDigits;
use crate::family::{Estimator, Fit, Generation, LatentFamily, Sampler};
use crate::model::LinearGaussian;
use collapse_core::chain::ChainConfig;
use collapse_core::{FigureEnv, FigureError, run_chain};
use collapse_data::digits::{CLASSES, SIDE};
use nalgebra::{DMatrix, DVector};

/// The generations shown, one row each.
pub const ROWS: [u64; 7] = [0, 1, 2, 5, 10, 20, 50];

/// The latent dimension of the figure (the paper's VAE has 20).
const LATENT: usize = 20;

/// The chains shown side by side: images per generation.
const SAMPLES: [usize; 2] = [1797, 100];

/// The rotation `R` (orthogonal, `q × q`) minimising `‖W R − target‖_F`: `U Vᵀ` for the SVD
/// `Wᵀ target = U Σ Vᵀ`.
pub fn procrustes(w: &DMatrix<f64>, target: &DMatrix<f64>) -> DMatrix<f64> {
    let svd = (w.transpose() * target).svd(true, true);
    let (u, vt) = (svd.u.expect("asked for U"), svd.v_t.expect("asked for Vᵀ"));
    u * vt
}

/// For each class, the first real digit of that class whose generation-0 reconstruction the
/// classifier reads correctly (the first of the class if none is).
fn exemplars(real: &RealDigits, g0: &LinearGaussian) -> Vec<usize> {
    (0..CLASSES)
        .map(|c| {
            let of_class = (0..real.len()).filter(|&i| real.labels[i] as usize == c);
            let first = of_class.clone().next().expect("every class has an image");
            of_class
                .into_iter()
                .find(|&i| {
                    let x = real.points.column(i).into_owned();
                    let xhat = g0.decode(&g0.encoder.encode(&x));
                    real.classifier.classify(&DMatrix::from_column_slice(
                        xhat.len(),
                        1,
                        xhat.as_slice(),
                    ))[0]
                        == c
                })
                .unwrap_or(first)
        })
        .collect()
}

/// The decoded images of the fixed codes at every generation of [`ROWS`], for one chain with
/// `m` images per generation; the first row of the result is the real digits.
fn block(real: &RealDigits, m: usize, seed: u64) -> Result<Block, FigureError> {
    let family = LatentFamily {
        real: RealDigits::builtin(),
        latent: LATENT,
        fit: Fit::Ppca(Estimator::Unbiased),
        sampler: Sampler::Exact,
        init_seed: seed,
        start: None,
    };
    let last = *ROWS.last().expect("rows");
    let cfg = ChainConfig::replace(m, last + 1);
    let mut rng = collapse_core::rng::stream(seed, "latent-digits-grid", m as u64);
    let mut aligned: Option<DMatrix<f64>> = None;
    let mut codes: Vec<DVector<f64>> = Vec::new();
    let mut picks: Vec<usize> = Vec::new();
    let mut rows: Vec<Vec<Vec<f64>>> = Vec::new();
    run_chain(&family, &cfg, &mut rng, |g, generation: &Generation| {
        let Some(model) = generation.model() else {
            return;
        };
        let n = g - 1;
        let w = match &aligned {
            None => model.loading.clone(),
            Some(prev) => &model.loading * procrustes(&model.loading, prev),
        };
        if codes.is_empty() {
            picks = exemplars(real, model);
            codes = picks
                .iter()
                .map(|&i| model.encoder.encode(&real.points.column(i).into_owned()))
                .collect();
            rows.push(
                picks
                    .iter()
                    .map(|&i| real.points.column(i).iter().copied().collect())
                    .collect(),
            );
        }
        if ROWS.contains(&n) {
            rows.push(
                codes
                    .iter()
                    .map(|z| (&model.mean + &w * z).iter().copied().collect())
                    .collect(),
            );
        }
        aligned = Some(w);
    })
    .map_err(|e| FigureError::Run(e.to_string()))?;
    let mut labels = vec!["real".to_string()];
    labels.extend(ROWS.iter().map(|n| format!("n = {n}")));
    Ok(Block {
        title: format!("M = {m} images per generation"),
        rows: labels,
        columns: (0..CLASSES).map(|c| c.to_string()).collect(),
        images: rows,
    })
}

/// `latent-digits-grid`.
pub fn grid(env: &FigureEnv<'_>) -> Result<ImageGrid, FigureError> {
    let real = RealDigits::builtin();
    let blocks = SAMPLES
        .iter()
        .map(|&m| block(&real, m, env.seed))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ImageGrid {
        title: "Generated digits by generation: pPCA (the linear VAE's optimum), q = 20, replace"
            .into(),
        caption: format!(
            "{} figures --only latent-digits-grid --seed {}: one chain per block, closed-form pPCA with q = {LATENT} latents, unbiased covariance, exact sampler. Top row: a real digit of each class; row n: generation n's decoder mean c + W z for the code z that generation 0's encoder gives that digit (decoders rotated to the previous generation's by orthogonal Procrustes, which leaves each model unchanged).",
            env.program, env.seed
        ),
        side: SIDE,
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_has_every_row_and_no_layout_fault() {
        let g = grid(&FigureEnv::default()).unwrap();
        assert_eq!(g.blocks.len(), SAMPLES.len());
        for b in &g.blocks {
            assert_eq!(b.images.len(), ROWS.len() + 1);
            assert!(b.images.iter().all(|r| r.len() == CLASSES));
        }
        assert!(
            collapse_core::Drawing::lint(&g).is_empty(),
            "{:?}",
            collapse_core::Drawing::lint(&g)
        );
    }

    #[test]
    fn procrustes_recovers_a_rotation() {
        let w = DMatrix::from_fn(6, 3, |i, j| ((i * 3 + j * 5) % 7) as f64 - 3.0);
        let (c, s) = (0.6f64, 0.8f64);
        let r = DMatrix::from_row_slice(3, 3, &[c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0]);
        let target = &w * &r;
        let found = procrustes(&w, &target);
        assert!((&found - &r).norm() < 1e-12);
    }
}
