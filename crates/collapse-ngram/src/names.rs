//! The series and metric names of `lm-chain`'s records, one constant per name: the experiment
//! writes them, the checks and the figures read them.

/// Series: generations trained on generated text only (data policy `replace`).
pub const NONE: &str = "none";
/// Series: generations trained on generated text with a fraction of the original blocks mixed
/// in (data policy `mix`).
pub const PRESERVE: &str = "preserve";
/// Series of the time-to-forget records of [`NONE`] (`step` = a word's count in the original
/// corpus).
pub const NONE_FORGET: &str = "none-forget";
/// Series of the time-to-forget records of [`PRESERVE`].
pub const PRESERVE_FORGET: &str = "preserve-forget";

/// Per generation g (the step): perplexity of generation g's model on the real test split.
pub const TEST_PERPLEXITY: &str = "test_perplexity";
/// Step 0 only: perplexity of the pretrained model on the real test split (zero-shot).
pub const ZERO_SHOT_PERPLEXITY: &str = "zero_shot_perplexity";
/// Per generation: distinct words in its training data (generation 0: the real blocks).
pub const SUPPORT: &str = "support";
/// Per generation: words of the real fine-tuning blocks present in its training data (the
/// vocabulary alive; generation 0: every word of the real blocks).
pub const ALIVE_WORDS: &str = "alive_words";
/// Per generation: mean per-block perplexity of its training data under the generation-0
/// model.
pub const SAMPLE_PPL_MEAN: &str = "sample_ppl_mean";
/// Per generation: median per-block perplexity of its training data under the generation-0
/// model.
pub const SAMPLE_PPL_MEDIAN: &str = "sample_ppl_median";
/// Per generation: the fraction of its training blocks whose perplexity under the
/// generation-0 model is below the 5th percentile of the real blocks' (the low-perplexity
/// mass; 0.05 at generation 0 by construction).
pub const LOW_MASS: &str = "low_mass";
/// Per generation: the fraction of its training blocks whose perplexity under the
/// generation-0 model is above the 95th percentile of the real blocks' (the high tail; 0.05
/// at generation 0 by construction).
pub const HIGH_TAIL: &str = "high_tail";
/// Per generation: the fraction of its training blocks whose perplexity under the
/// generation-0 model falls in bin i of [`crate::simulation::hist_bin`] (40 log bins over
/// [1, 10⁴]).
pub const SAMPLE_PPL_BINS: [&str; crate::simulation::HIST_BINS] = [
    "sample_ppl_bin_00",
    "sample_ppl_bin_01",
    "sample_ppl_bin_02",
    "sample_ppl_bin_03",
    "sample_ppl_bin_04",
    "sample_ppl_bin_05",
    "sample_ppl_bin_06",
    "sample_ppl_bin_07",
    "sample_ppl_bin_08",
    "sample_ppl_bin_09",
    "sample_ppl_bin_10",
    "sample_ppl_bin_11",
    "sample_ppl_bin_12",
    "sample_ppl_bin_13",
    "sample_ppl_bin_14",
    "sample_ppl_bin_15",
    "sample_ppl_bin_16",
    "sample_ppl_bin_17",
    "sample_ppl_bin_18",
    "sample_ppl_bin_19",
    "sample_ppl_bin_20",
    "sample_ppl_bin_21",
    "sample_ppl_bin_22",
    "sample_ppl_bin_23",
    "sample_ppl_bin_24",
    "sample_ppl_bin_25",
    "sample_ppl_bin_26",
    "sample_ppl_bin_27",
    "sample_ppl_bin_28",
    "sample_ppl_bin_29",
    "sample_ppl_bin_30",
    "sample_ppl_bin_31",
    "sample_ppl_bin_32",
    "sample_ppl_bin_33",
    "sample_ppl_bin_34",
    "sample_ppl_bin_35",
    "sample_ppl_bin_36",
    "sample_ppl_bin_37",
    "sample_ppl_bin_38",
    "sample_ppl_bin_39",
];

/// Forget series, per original count c: the fraction of words of count c extinct by the last
/// generation.
pub const EXTINCT_FRACTION: &str = "extinct_fraction";
/// Forget series, per original count c: the mean first generation at which words of count c
/// are absent from the training data (survivors count as `generations`, one past the last
/// generation: a censored value).
pub const EXTINCT_AT_MEAN: &str = "extinct_at_mean";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_names_are_numbered_in_order() {
        for (i, name) in SAMPLE_PPL_BINS.iter().enumerate() {
            assert_eq!(*name, format!("sample_ppl_bin_{i:02}"));
        }
    }
}
