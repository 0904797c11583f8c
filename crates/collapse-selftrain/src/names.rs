//! The series and metric names of the family's records, shared by the experiments, the report,
//! the checks and the figures (no name is spelled twice).

/// Series of `selftrain-reversal`: iterative SFT.
pub const SFT: &str = "sft";
/// Series of `selftrain-reversal`: iterative DPO.
pub const DPO: &str = "dpo";
/// Series of `selftrain-reversal`: SFT and DPO alternating, DPO first.
pub const SFT_DPO: &str = "sft-dpo";

/// Series of `selftrain-curated`: the pure curated loop.
pub const CURATED: &str = "curated";
/// Series of `selftrain-curated`: the loop with a fraction of fresh real data each round.
pub const CURATED_REAL: &str = "curated-real";

/// Greedy pass@1 on the in-distribution test questions.
pub const PASS_1: &str = "pass_1";
/// Exact pass@1 of a sample at temperature τ (the mass on correct answers).
pub const SAMPLED_PASS_1: &str = "sampled_pass_1";
/// Entropy of the policy at τ (nats), mean over test questions; also the entropy of the
/// curated loop's model.
pub const ENTROPY: &str = "entropy";
/// Expected distinct strategies among N samples.
pub const DISTINCT: &str = "distinct";
/// Kernel diversity 1 − πᵀKπ.
pub const KERNEL_DIVERSITY: &str = "kernel_diversity";
/// Exact pass@2 at τ.
pub const PASS_2: &str = "pass_2";
/// Exact pass@4 at τ.
pub const PASS_4: &str = "pass_4";
/// Exact pass@8 at τ.
pub const PASS_8: &str = "pass_8";
/// Exact pass@16 at τ.
pub const PASS_16: &str = "pass_16";
/// Exact pass@32 at τ.
pub const PASS_32: &str = "pass_32";
/// Exact pass@64 at τ.
pub const PASS_64: &str = "pass_64";
/// Expected distinct strategies among N samples conditioned on correct.
pub const DISTINCT_CORRECT: &str = "distinct_correct";
/// Expected distinct strategies among N samples conditioned on incorrect.
pub const DISTINCT_INCORRECT: &str = "distinct_incorrect";
/// Greedy accuracy on level-1 test questions.
pub const ACC_LEVEL_1: &str = "acc_level_1";
/// Greedy accuracy on level-2 test questions.
pub const ACC_LEVEL_2: &str = "acc_level_2";
/// Greedy accuracy on level-3 test questions.
pub const ACC_LEVEL_3: &str = "acc_level_3";
/// Greedy accuracy on level-4 test questions.
pub const ACC_LEVEL_4: &str = "acc_level_4";
/// Greedy accuracy on level-5 test questions.
pub const ACC_LEVEL_5: &str = "acc_level_5";
/// (acc L1 − acc L5) / acc L1 over the in-distribution test levels (absent when a level has no
/// question).
pub const DISPARITY: &str = "disparity";
/// Fraction of test questions solved greedily now but not by M₁ (the improvement set).
pub const IMPROVEMENT_SIZE: &str = "improvement_size";
/// M₁'s pass@2 on the improvement set.
pub const IS_BASE_PASS_2: &str = "is_base_pass_2";
/// M₁'s pass@4 on the improvement set.
pub const IS_BASE_PASS_4: &str = "is_base_pass_4";
/// M₁'s pass@8 on the improvement set.
pub const IS_BASE_PASS_8: &str = "is_base_pass_8";
/// M₁'s pass@16 on the improvement set.
pub const IS_BASE_PASS_16: &str = "is_base_pass_16";
/// M₁'s pass@32 on the improvement set.
pub const IS_BASE_PASS_32: &str = "is_base_pass_32";
/// M₁'s pass@64 on the improvement set.
pub const IS_BASE_PASS_64: &str = "is_base_pass_64";
/// Greedy pass@1 on the out-of-distribution questions.
pub const OOD_PASS_1: &str = "ood_pass_1";
/// Greedy accuracy on level-1 OOD questions.
pub const OOD_ACC_LEVEL_1: &str = "ood_acc_level_1";
/// Greedy accuracy on level-2 OOD questions.
pub const OOD_ACC_LEVEL_2: &str = "ood_acc_level_2";
/// Greedy accuracy on level-3 OOD questions.
pub const OOD_ACC_LEVEL_3: &str = "ood_acc_level_3";
/// Greedy accuracy on level-4 OOD questions.
pub const OOD_ACC_LEVEL_4: &str = "ood_acc_level_4";
/// Greedy accuracy on level-5 OOD questions.
pub const OOD_ACC_LEVEL_5: &str = "ood_acc_level_5";
/// (acc L1 − acc L5) / acc L1 over the OOD levels (the paper's group disparity, measured on
/// levels held out of training).
pub const OOD_DISPARITY: &str = "ood_disparity";
/// Exact sampled pass@1 at τ on the out-of-distribution questions.
pub const OOD_SAMPLED_PASS_1: &str = "ood_sampled_pass_1";
/// Exact pass@64 at τ on the out-of-distribution questions.
pub const OOD_PASS_64: &str = "ood_pass_64";
/// Mass on correct answers over the training questions.
pub const COVERAGE: &str = "coverage";
/// The unbiased estimator of pass@16 from N drawn answers per test question.
pub const PASS_16_ESTIMATED: &str = "pass_16_estimated";

/// Series of `selftrain-robustness`: the placebo run (OOD questions scored like in-distribution
/// ones), as `placebo/PARADIGM`.
pub const PLACEBO: &str = "placebo";
/// Series of `selftrain-robustness`: the calibrated defaults, as `calibrated/PARADIGM`.
pub const CALIBRATED: &str = "calibrated";
/// Series of `selftrain-robustness`: the coverage sweep, as `coverage/error_logit=E/PARADIGM`.
pub const COVERAGE_SWEEP: &str = "coverage";
/// Series suffix of the coverage sweep's comparison of paradigms (`…/dpo-family-minus-sft`).
pub const DPO_FAMILY_MINUS_SFT: &str = "dpo-family-minus-sft";

/// The paired change of `pass_1` from iteration 1 to the last, per replicate.
pub const CHANGE_PASS_1: &str = "change_pass_1";
/// The paired change of `pass_64`.
pub const CHANGE_PASS_64: &str = "change_pass_64";
/// The paired change of `kernel_diversity`.
pub const CHANGE_KERNEL_DIVERSITY: &str = "change_kernel_diversity";
/// The paired change of `distinct_correct`.
pub const CHANGE_DISTINCT_CORRECT: &str = "change_distinct_correct";
/// The paired change of `ood_pass_1`.
pub const CHANGE_OOD_PASS_1: &str = "change_ood_pass_1";
/// The paired change of `ood_disparity`.
pub const CHANGE_OOD_DISPARITY: &str = "change_ood_disparity";
/// The best greedy pass@1 over iterations 2..T (the paper's M_t*); in the comparison series,
/// the best of DPO and SFT-DPO minus SFT's.
pub const BEST_PASS_1: &str = "best_pass_1";

/// The metric that holds the per-replicate change of `metric`, when there is one.
pub fn change_of(metric: &str) -> Option<&'static str> {
    Some(match metric {
        PASS_1 => CHANGE_PASS_1,
        PASS_64 => CHANGE_PASS_64,
        KERNEL_DIVERSITY => CHANGE_KERNEL_DIVERSITY,
        DISTINCT_CORRECT => CHANGE_DISTINCT_CORRECT,
        OOD_PASS_1 => CHANGE_OOD_PASS_1,
        OOD_DISPARITY => CHANGE_OOD_DISPARITY,
        _ => return None,
    })
}

/// Expected reward of the curated loop's model.
pub const REWARD: &str = "reward";
/// Expected exponentiated reward E_p[e^r].
pub const EXP_REWARD: &str = "exp_reward";
/// Mass on the reward maximisers.
pub const TOP_MASS: &str = "top_mass";
/// KL from the data restricted to the maximisers (capped at 1e3).
pub const KL_TO_LIMIT: &str = "kl_to_limit";
/// The exact expected update's reward.
pub const THEORY_REWARD: &str = "theory_reward";
/// The exact expected update's entropy.
pub const THEORY_ENTROPY: &str = "theory_entropy";
/// The exact expected update's mass on the maximisers.
pub const THEORY_TOP_MASS: &str = "theory_top_mass";

/// A metric of one `selftrain-reversal` iteration, as [`crate::eval::evaluate`] returns it
/// (typed, so that a run interns each name once and emits rows by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// [`PASS_1`].
    Pass1,
    /// [`SAMPLED_PASS_1`].
    SampledPass1,
    /// [`ENTROPY`].
    Entropy,
    /// [`DISTINCT`].
    Distinct,
    /// [`KERNEL_DIVERSITY`].
    KernelDiversity,
    /// [`PASS_2`].
    Pass2,
    /// [`PASS_4`].
    Pass4,
    /// [`PASS_8`].
    Pass8,
    /// [`PASS_16`].
    Pass16,
    /// [`PASS_32`].
    Pass32,
    /// [`PASS_64`].
    Pass64,
    /// [`DISTINCT_CORRECT`].
    DistinctCorrect,
    /// [`DISTINCT_INCORRECT`].
    DistinctIncorrect,
    /// [`ACC_LEVEL_1`].
    AccLevel1,
    /// [`ACC_LEVEL_2`].
    AccLevel2,
    /// [`ACC_LEVEL_3`].
    AccLevel3,
    /// [`ACC_LEVEL_4`].
    AccLevel4,
    /// [`ACC_LEVEL_5`].
    AccLevel5,
    /// [`DISPARITY`].
    Disparity,
    /// [`IMPROVEMENT_SIZE`].
    ImprovementSize,
    /// [`IS_BASE_PASS_2`].
    IsBasePass2,
    /// [`IS_BASE_PASS_4`].
    IsBasePass4,
    /// [`IS_BASE_PASS_8`].
    IsBasePass8,
    /// [`IS_BASE_PASS_16`].
    IsBasePass16,
    /// [`IS_BASE_PASS_32`].
    IsBasePass32,
    /// [`IS_BASE_PASS_64`].
    IsBasePass64,
    /// [`OOD_PASS_1`].
    OodPass1,
    /// [`OOD_ACC_LEVEL_1`].
    OodAccLevel1,
    /// [`OOD_ACC_LEVEL_2`].
    OodAccLevel2,
    /// [`OOD_ACC_LEVEL_3`].
    OodAccLevel3,
    /// [`OOD_ACC_LEVEL_4`].
    OodAccLevel4,
    /// [`OOD_ACC_LEVEL_5`].
    OodAccLevel5,
    /// [`OOD_DISPARITY`].
    OodDisparity,
    /// [`OOD_SAMPLED_PASS_1`].
    OodSampledPass1,
    /// [`OOD_PASS_64`].
    OodPass64,
    /// [`COVERAGE`].
    Coverage,
    /// [`PASS_16_ESTIMATED`].
    Pass16Estimated,
}

impl Metric {
    /// Every metric, in declaration order (`Metric::ALL[m.index()] == m`).
    pub const ALL: [Metric; 37] = [
        Metric::Pass1,
        Metric::SampledPass1,
        Metric::Entropy,
        Metric::Distinct,
        Metric::KernelDiversity,
        Metric::Pass2,
        Metric::Pass4,
        Metric::Pass8,
        Metric::Pass16,
        Metric::Pass32,
        Metric::Pass64,
        Metric::DistinctCorrect,
        Metric::DistinctIncorrect,
        Metric::AccLevel1,
        Metric::AccLevel2,
        Metric::AccLevel3,
        Metric::AccLevel4,
        Metric::AccLevel5,
        Metric::Disparity,
        Metric::ImprovementSize,
        Metric::IsBasePass2,
        Metric::IsBasePass4,
        Metric::IsBasePass8,
        Metric::IsBasePass16,
        Metric::IsBasePass32,
        Metric::IsBasePass64,
        Metric::OodPass1,
        Metric::OodAccLevel1,
        Metric::OodAccLevel2,
        Metric::OodAccLevel3,
        Metric::OodAccLevel4,
        Metric::OodAccLevel5,
        Metric::OodDisparity,
        Metric::OodSampledPass1,
        Metric::OodPass64,
        Metric::Coverage,
        Metric::Pass16Estimated,
    ];

    /// The position in [`Metric::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The record name.
    pub const fn name(self) -> &'static str {
        match self {
            Metric::Pass1 => PASS_1,
            Metric::SampledPass1 => SAMPLED_PASS_1,
            Metric::Entropy => ENTROPY,
            Metric::Distinct => DISTINCT,
            Metric::KernelDiversity => KERNEL_DIVERSITY,
            Metric::Pass2 => PASS_2,
            Metric::Pass4 => PASS_4,
            Metric::Pass8 => PASS_8,
            Metric::Pass16 => PASS_16,
            Metric::Pass32 => PASS_32,
            Metric::Pass64 => PASS_64,
            Metric::DistinctCorrect => DISTINCT_CORRECT,
            Metric::DistinctIncorrect => DISTINCT_INCORRECT,
            Metric::AccLevel1 => ACC_LEVEL_1,
            Metric::AccLevel2 => ACC_LEVEL_2,
            Metric::AccLevel3 => ACC_LEVEL_3,
            Metric::AccLevel4 => ACC_LEVEL_4,
            Metric::AccLevel5 => ACC_LEVEL_5,
            Metric::Disparity => DISPARITY,
            Metric::ImprovementSize => IMPROVEMENT_SIZE,
            Metric::IsBasePass2 => IS_BASE_PASS_2,
            Metric::IsBasePass4 => IS_BASE_PASS_4,
            Metric::IsBasePass8 => IS_BASE_PASS_8,
            Metric::IsBasePass16 => IS_BASE_PASS_16,
            Metric::IsBasePass32 => IS_BASE_PASS_32,
            Metric::IsBasePass64 => IS_BASE_PASS_64,
            Metric::OodPass1 => OOD_PASS_1,
            Metric::OodAccLevel1 => OOD_ACC_LEVEL_1,
            Metric::OodAccLevel2 => OOD_ACC_LEVEL_2,
            Metric::OodAccLevel3 => OOD_ACC_LEVEL_3,
            Metric::OodAccLevel4 => OOD_ACC_LEVEL_4,
            Metric::OodAccLevel5 => OOD_ACC_LEVEL_5,
            Metric::OodDisparity => OOD_DISPARITY,
            Metric::OodSampledPass1 => OOD_SAMPLED_PASS_1,
            Metric::OodPass64 => OOD_PASS_64,
            Metric::Coverage => COVERAGE,
            Metric::Pass16Estimated => PASS_16_ESTIMATED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_indexed_in_order_and_named_uniquely() {
        let mut seen = std::collections::BTreeSet::new();
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
            assert!(seen.insert(m.name()), "{} twice", m.name());
        }
    }
}
