//! What Wu et al. ("Progress or Regress? Self-Improvement Reversal in Post-training", ICLR 2025)
//! report, in the form the model is compared with: the numbers of their base model M₁ (the
//! calibration targets), the directions of change over iterations, the pass@1 time course and
//! the coverage rule.
//!
//! Every number here was read off the authors' published figures and coverage table by a
//! secondary transcription and was not checked against the paper's text ("transcribed"); the
//! MATH level proportions are recalled and unverified. The setting is the paper's Mistral-7B
//! trained on GSM8K and evaluated on MATH (its Figure 5) wherever the paper gives it; the
//! diversity figure does not name its model.

use crate::names::{
    DISTINCT_CORRECT, DPO, IS_BASE_PASS_64, KERNEL_DIVERSITY, OOD_DISPARITY, OOD_PASS_1, PASS_1,
    SFT, SFT_DPO,
};

/// A number the paper reports and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reported {
    /// The value (fractions, not percent).
    pub value: f64,
    /// Figure or table of the paper, and how the number was obtained.
    pub source: &'static str,
}

/// What the paper reports of M₁ (Mistral-7B, GSM8K → MATH).
pub mod m1 {
    use super::Reported;

    /// Correct-answer coverage on GSM8K. The paper gives no formula; read here as the mass M₁
    /// puts on correct answers of the training questions at the sampling temperature.
    pub const COVERAGE: Reported = Reported {
        value: 0.627,
        source: "coverage table (Fig. 2), Mistral-7B GSM8K; transcribed",
    };
    /// Greedy pass@1 on the GSM8K test set.
    pub const PASS_1: Reported = Reported {
        value: 0.6179,
        source: "coverage table (Fig. 2), Mistral-7B GSM8K; transcribed",
    };
    /// Greedy pass@1 on MATH of the model trained on GSM8K.
    pub const OOD_PASS_1: Reported = Reported {
        value: 0.1528,
        source: "Fig. 5, MATH accuracy at iteration 1; transcribed",
    };
    /// Group disparity (acc L1 − acc L5) / acc L1 on the MATH levels.
    pub const OOD_DISPARITY: Reported = Reported {
        value: 0.915,
        source: "Fig. 5, group disparity at iteration 1; transcribed",
    };
}

/// What a direction claims of a metric between iteration 1 and the last iteration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Claim {
    /// The metric rises.
    Up,
    /// The metric falls.
    Down,
    /// The metric, at the last iteration, is at least this value.
    AtLeast(f64),
}

impl Claim {
    /// How the claim prints (`up`, `down`, `>= 0.9`).
    pub fn text(&self) -> String {
        match self {
            Claim::Up => "up".into(),
            Claim::Down => "down".into(),
            Claim::AtLeast(v) => format!(">= {v}"),
        }
    }
}

/// One direction the paper reports for one paradigm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Direction {
    /// The series (paradigm).
    pub series: &'static str,
    /// The model's metric that stands for the paper's measurement.
    pub metric: &'static str,
    /// What the paper reports.
    pub claim: Claim,
    /// The paper's numbers behind the claim.
    pub evidence: &'static str,
}

/// The level M₁'s pass@64 on the improvement set must reach for "the improved problems were
/// already within M₁'s reach" (the paper's GSM8K curve is at ≈ 0.98–1.00, MATH at ≈ 0.81–0.96).
pub const IMPROVEMENT_REACH: f64 = 0.9;

const fn d(
    series: &'static str,
    metric: &'static str,
    claim: Claim,
    evidence: &'static str,
) -> Direction {
    Direction {
        series,
        metric,
        claim,
        evidence,
    }
}

/// The 18 directions the paper reports (iteration 1 → 5), each with the model's metric.
///
/// - pass@1 (greedy, in distribution): Figures 1 and 5;
/// - M₁'s pass@64 on the improvement set IS(t) (Figure 3; the figure is per task, the paradigm
///   it shows was not transcribed, so the claim is held against every paradigm);
/// - semantic diversity (Sentence-BERT, 1 − mean pairwise similarity of correct samples) ↔ the
///   kernel diversity 1 − πᵀKπ, the expected dissimilarity of two samples; logical diversity
///   (distinct equations among correct samples) ↔ the expected number of distinct strategies
///   among N correct samples (Figure 4, GSM8K, model not named);
/// - MATH accuracy and group disparity of the GSM8K-trained Mistral-7B ↔ OOD greedy pass@1 and
///   the disparity over the OOD levels (Figure 5).
///
/// The paper does not report pass@k over iterations; "pass@64 falls" is the model's own
/// prediction ([`crate::experiment::report`] prints it apart).
pub const DIRECTIONS: [Direction; 18] = [
    d(
        SFT,
        PASS_1,
        Claim::Up,
        "Fig. 5: GSM8K 61.8 → 66.5 (peak 68.9 at t = 2)",
    ),
    d(DPO, PASS_1, Claim::Up, "Fig. 5: GSM8K 61.8 → 71.0"),
    d(
        SFT_DPO,
        PASS_1,
        Claim::Up,
        "Fig. 5: GSM8K 61.8 → 71.6 (peak 72.8 at t = 4)",
    ),
    d(
        SFT,
        IS_BASE_PASS_64,
        Claim::AtLeast(IMPROVEMENT_REACH),
        "Fig. 3: GSM8K ≈ 0.98–1.00",
    ),
    d(
        DPO,
        IS_BASE_PASS_64,
        Claim::AtLeast(IMPROVEMENT_REACH),
        "Fig. 3 (as SFT)",
    ),
    d(
        SFT_DPO,
        IS_BASE_PASS_64,
        Claim::AtLeast(IMPROVEMENT_REACH),
        "Fig. 3 (as SFT)",
    ),
    d(
        SFT,
        KERNEL_DIVERSITY,
        Claim::Down,
        "Fig. 4: SBERT 0.71 → 0.43 (GSM8K)",
    ),
    d(
        DPO,
        KERNEL_DIVERSITY,
        Claim::Down,
        "Fig. 4: SBERT 0.71 → 0.58 (GSM8K)",
    ),
    d(
        SFT_DPO,
        KERNEL_DIVERSITY,
        Claim::Down,
        "Fig. 4: SBERT 0.71 → 0.47 (GSM8K)",
    ),
    d(
        SFT,
        DISTINCT_CORRECT,
        Claim::Down,
        "Fig. 4: distinct equations 0.47 → 0.21",
    ),
    d(
        DPO,
        DISTINCT_CORRECT,
        Claim::Down,
        "Fig. 4: distinct equations 0.47 → 0.30",
    ),
    d(
        SFT_DPO,
        DISTINCT_CORRECT,
        Claim::Down,
        "Fig. 4: distinct equations 0.47 → 0.21",
    ),
    d(SFT, OOD_PASS_1, Claim::Down, "Fig. 5: MATH 15.28 → 11.8"),
    d(DPO, OOD_PASS_1, Claim::Up, "Fig. 5: MATH 15.28 → 17.8"),
    d(
        SFT_DPO,
        OOD_PASS_1,
        Claim::Down,
        "Fig. 5: MATH 15.28 → 12.15",
    ),
    d(SFT, OOD_DISPARITY, Claim::Up, "Fig. 5: 91.5 → 94.5"),
    d(DPO, OOD_DISPARITY, Claim::Up, "Fig. 5: 91.5 → 92.8"),
    d(SFT_DPO, OOD_DISPARITY, Claim::Up, "Fig. 5: 91.5 → 92.0"),
];

/// GSM8K greedy pass@1 of Mistral-7B over iterations 1–5, per paradigm (Figure 5's horizontal
/// axis, which agrees with Figure 1; transcribed).
pub const PASS_1_CURVES: [(&str, [f64; 5]); 3] = [
    (SFT, [0.618, 0.689, 0.661, 0.666, 0.665]),
    (DPO, [0.618, 0.641, 0.693, 0.702, 0.710]),
    (SFT_DPO, [0.618, 0.640, 0.716, 0.728, 0.716]),
];

/// MATH greedy pass@1 of the GSM8K-trained Mistral-7B over iterations 1–5, per paradigm
/// (Figure 5; transcribed).
pub const OOD_PASS_1_CURVES: [(&str, [f64; 5]); 3] = [
    (SFT, [0.1528, 0.1495, 0.1365, 0.1075, 0.118]),
    (DPO, [0.1528, 0.1707, 0.1687, 0.1705, 0.178]),
    (SFT_DPO, [0.1528, 0.1707, 0.152, 0.1425, 0.1215]),
];

/// Group disparity on the MATH levels of the same models (Figure 5; transcribed).
pub const OOD_DISPARITY_CURVES: [(&str, [f64; 5]); 3] = [
    (SFT, [0.915, 0.925, 0.907, 0.929, 0.945]),
    (DPO, [0.915, 0.892, 0.929, 0.919, 0.928]),
    (SFT_DPO, [0.915, 0.892, 0.893, 0.886, 0.920]),
];

/// M₁'s pass@2 on the improvement sets IS(2)…IS(5) on GSM8K: the range of the curves of
/// Figure 3 (transcribed; the figure is per task and its paradigm was not transcribed).
pub const IS_PASS_2_RANGE: (f64, f64) = (0.50, 0.63);
/// M₁'s pass@64 on the same improvement sets (Figure 3; transcribed).
pub const IS_PASS_64_RANGE: (f64, f64) = (0.98, 1.00);

/// The iteration (1-based) of a curve's maximum (the first one).
pub fn peak(curve: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in curve.iter().enumerate() {
        if *v > curve[best] {
            best = i;
        }
    }
    best + 1
}

/// The coverage above which the paper finds DPO or SFT-DPO best and below which SFT ("when the
/// correct answer coverage is high (>0.5), Iterative DPO and Iterative SFT-DPO produce the
/// best-performing M_t*"; project page, with the coverage table of Figure 2). The paper's own
/// table has one exception (Mistral-7B on MATH: coverage 0.143, SFT-DPO best).
pub const COVERAGE_RULE: f64 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transcribed_curves_peak_where_the_paper_says() {
        let peaks: Vec<usize> = PASS_1_CURVES.iter().map(|(_, c)| peak(c)).collect();
        assert_eq!(peaks, [2, 5, 4]);
        // Every curve starts at M₁, whose pass@1 the coverage table gives to two more digits.
        for (_, c) in PASS_1_CURVES {
            assert!((c[0] - m1::PASS_1.value).abs() < 5e-4);
        }
    }
}
