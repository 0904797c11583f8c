//! The "pretrained" model and fine-tuning, in n-gram terms.
//!
//! In the paper every generation starts again from the same pretrained OPT-125m and is
//! fine-tuned on the text the previous generation wrote. Here the pretrained model is a fixed
//! n-gram model built from text other than the fine-tuning data ([`Pretrained`]: a mixture of
//! domain models), and fine-tuning on a data set is linear interpolation ([`FineTuned`]): an
//! n-gram model fitted on the data, with weight λ, and the pretrained model, with weight 1 − λ,
//!
//! $$P_g(w\mid h) = \lambda\,P_{D_g}(w\mid h) + (1-\lambda)\,P_{\text{pre}}(w\mid h),\qquad
//! \lambda = \frac{e}{e+\kappa},$$
//!
//! where `e` is the number of epochs and κ the pretrained model's worth in epochs of the data
//! (the posterior mean of a Dirichlet prior centred on the pretrained model with the data
//! counted `e` times has this weight when the prior is worth κ passes over the data). Every
//! generation starts from the same pretrained model; nothing else carries over.

use crate::ngram::{LanguageModel, Mixture, NgramModel};
use std::sync::Arc;

/// The weight λ = e / (e + κ) of the fine-tuning data after `epochs` passes, when the
/// pretrained model is worth `prior_epochs` passes.
pub fn data_weight(epochs: f64, prior_epochs: f64) -> f64 {
    epochs / (epochs + prior_epochs)
}

/// The pretrained model: a fixed mixture `Σ wᵢ Pᵢ` of n-gram models of other texts (weights
/// summing to 1), the same for every generation.
#[derive(Clone, Debug)]
pub struct Pretrained {
    parts: Vec<(f64, NgramModel)>,
}

impl Pretrained {
    /// The mixture of `parts` (weight, model). The weights are normalised to sum to 1; parts of
    /// weight 0 are dropped. Every model must share the order and the vocabulary.
    ///
    /// # Panics
    /// When no part has a positive weight, or the parts differ in order or vocabulary (the
    /// configuration builds them alike).
    pub fn new(parts: Vec<(f64, NgramModel)>) -> Self {
        let parts: Vec<(f64, NgramModel)> = parts.into_iter().filter(|p| p.0 > 0.0).collect();
        let total: f64 = parts.iter().map(|p| p.0).sum();
        assert!(
            total > 0.0,
            "a pretrained model needs a part of positive weight"
        );
        let (order, vocab) = (parts[0].1.order(), parts[0].1.vocab());
        assert!(
            parts
                .iter()
                .all(|p| p.1.order() == order && p.1.vocab() == vocab),
            "the parts of a pretrained model share order and vocabulary"
        );
        Self {
            parts: parts.into_iter().map(|(w, m)| (w / total, m)).collect(),
        }
    }
}

impl LanguageModel for Pretrained {
    fn order(&self) -> usize {
        self.parts[0].1.order()
    }
    fn vocab(&self) -> usize {
        self.parts[0].1.vocab()
    }
    fn mixture(&self, ctx: &[u32]) -> Mixture<'_> {
        let mut parts = self.parts.iter();
        let (w, m) = parts.next().expect("a pretrained model has a part");
        let mut mix = m.mixture(ctx).scaled(*w);
        for (w, m) in parts {
            mix = mix.join(m.mixture(ctx).scaled(*w));
        }
        mix
    }
}

/// A fine-tuned model: the n-gram model of the fine-tuning data with weight λ and the
/// pretrained model with weight 1 − λ; without a pretrained model, the n-gram model alone (a
/// model trained from scratch).
#[derive(Clone, Debug)]
pub struct FineTuned {
    /// The pretrained start, shared by every generation.
    pub pretrained: Option<Arc<Pretrained>>,
    /// The n-gram model of the fine-tuning data.
    pub tuned: NgramModel,
    /// λ, the weight of `tuned` (1 without a pretrained model).
    pub weight: f64,
}

impl LanguageModel for FineTuned {
    fn order(&self) -> usize {
        self.tuned.order()
    }
    fn vocab(&self) -> usize {
        self.tuned.vocab()
    }
    fn mixture(&self, ctx: &[u32]) -> Mixture<'_> {
        match &self.pretrained {
            None => self.tuned.mixture(ctx),
            // λ = 1 leaves nothing of the pretrained model.
            Some(_) if self.weight >= 1.0 => self.tuned.mixture(ctx),
            Some(p) => self
                .tuned
                .mixture(ctx)
                .scaled(self.weight)
                .join(p.mixture(ctx).scaled(1.0 - self.weight)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngram::Smoothing;

    fn toy(seqs: &[&[u32]]) -> NgramModel {
        let seqs: Vec<Vec<u32>> = seqs.iter().map(|s| s.to_vec()).collect();
        NgramModel::fit(&seqs, 3, Smoothing::KneserNey, 8)
    }

    #[test]
    fn interpolation_is_the_weighted_sum_of_the_two_models() {
        let pre = Arc::new(Pretrained::new(vec![
            (3.0, toy(&[&[0, 1, 2, 3, 4]])),
            (1.0, toy(&[&[5, 6, 7, 5, 6]])),
        ]));
        let tuned = toy(&[&[1, 2, 1, 2, 0, 1]]);
        let ft = FineTuned {
            pretrained: Some(pre.clone()),
            tuned: tuned.clone(),
            weight: 0.6,
        };
        for ctx in [&[][..], &[1], &[1, 2], &[5, 6], &[7, 7]] {
            let mut total = 0.0;
            for w in 0..8 {
                let p_pre = 0.75 * pre.parts[0].1.prob(ctx, w) + 0.25 * pre.parts[1].1.prob(ctx, w);
                let want = 0.6 * tuned.prob(ctx, w) + 0.4 * p_pre;
                let got = ft.prob(ctx, w);
                assert!((got - want).abs() < 1e-15, "{ctx:?} {w}: {got} vs {want}");
                total += got;
            }
            assert!((total - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn the_data_weight_grows_with_epochs() {
        assert_eq!(data_weight(5.0, 5.0), 0.5);
        assert!(data_weight(10.0, 2.0) > data_weight(5.0, 2.0));
    }
}
