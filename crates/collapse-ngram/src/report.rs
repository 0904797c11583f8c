//! The table `lm-chain` prints: its test perplexities beside the paper's (Shumailov et al.,
//! Nature 631, 2024, Fig. 1b/1c and the main text), mean ± standard error over the runs.

use crate::corpus::Corpus;
use crate::experiment::{Arm, LmConfig};
use crate::names::NONE;
use crate::simulation::Observation;
use collapse_core::stats;

/// The paper's zero-shot test perplexity of OPT-125m on WikiText-2.
pub const PAPER_ZERO_SHOT: f64 = 115.0;
/// The paper's test perplexity after fine-tuning on real WikiText-2.
pub const PAPER_FINE_TUNED: f64 = 34.0;

/// What the report keeps of one chain.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainSummary {
    /// Test perplexity of every generation.
    pub test_perplexity: Vec<f64>,
    /// Words of the real blocks alive in the last generation's data, over the real blocks'
    /// distinct words.
    pub alive_ratio: f64,
}

impl ChainSummary {
    /// The summary of one observed chain.
    pub fn of(obs: &Observation, corpus: &Corpus) -> Self {
        let real = corpus.counts.iter().filter(|&&c| c > 0).count().max(1);
        Self {
            test_perplexity: obs.test_perplexity.clone(),
            alive_ratio: *obs.alive.last().unwrap_or(&0) as f64 / real as f64,
        }
    }
}

/// The comparison table of a run.
#[derive(Clone, Debug)]
pub struct Report {
    zero_shot: Option<f64>,
    penalty: f64,
    prompt_weight: f64,
    replicates: u64,
    rows: Vec<(Arm, Vec<ChainSummary>)>,
}

/// "mean ± se" of values, or "—" for none.
fn mean_se(v: &[f64], digits: usize) -> String {
    if v.is_empty() {
        return "—".into();
    }
    let (mean, se) = stats::mean_and_se(v);
    format!("{mean:.digits$} ± {se:.digits$}")
}

impl Report {
    /// An empty report for a run configured by `cfg`, whose pretrained model (if any) has
    /// test perplexity `zero_shot`.
    pub fn new(cfg: &LmConfig, zero_shot: Option<f64>) -> Self {
        Self {
            zero_shot,
            penalty: cfg.penalty,
            prompt_weight: cfg.family.prompt_weight,
            replicates: cfg.replicates,
            rows: Vec::new(),
        }
    }

    /// Adds the chains of one setting.
    pub fn add(&mut self, arm: &Arm, chains: Vec<ChainSummary>) {
        self.rows.push((*arm, chains));
    }

    /// The table as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Test perplexity on the real test split, mean ± s.e. over {} runs (repetition penalty {}, prompt weight {}), beside Shumailov et al. 2024 (OPT-125m, WikiText-2)\n",
            self.replicates, self.penalty, self.prompt_weight
        ));
        out.push_str(&format!(
            "{:<34} {:>14} {:>16} {:>16} {:>16} {:>16} {:>16}\n",
            "setting",
            "zero-shot",
            "real fine-tuned",
            "generation 1",
            "last generation",
            "last / real",
            "real words alive"
        ));
        let zs = self
            .zero_shot
            .map_or("—".to_string(), |z| format!("{z:.1}"));
        for (arm, chains) in &self.rows {
            let at = |g: usize| -> Vec<f64> {
                chains
                    .iter()
                    .filter_map(|c| c.test_perplexity.get(g).copied())
                    .collect()
            };
            let last: Vec<f64> = chains
                .iter()
                .filter_map(|c| c.test_perplexity.last().copied())
                .collect();
            let ratio: Vec<f64> = chains
                .iter()
                .filter_map(|c| Some(c.test_perplexity.last()? / c.test_perplexity.first()?))
                .collect();
            let vocab: Vec<f64> = chains.iter().map(|c| c.alive_ratio).collect();
            let g = chains.first().map_or(0, |c| c.test_perplexity.len());
            let name = if arm.series == NONE {
                format!("no data preserved, {} epochs", arm.epochs)
            } else {
                let fraction = match arm.policy {
                    collapse_core::Policy::Mix { real_fraction } => real_fraction,
                    _ => 0.0,
                };
                format!("{:.0} % preserved, {} epochs", 100.0 * fraction, arm.epochs)
            };
            out.push_str(&format!(
                "{:<34} {:>14} {:>16} {:>16} {:>16} {:>16} {:>16}\n",
                format!("{name} (gen 0..{})", g.saturating_sub(1)),
                zs,
                mean_se(&at(0), 1),
                mean_se(&at(1), 1),
                mean_se(&last, 1),
                mean_se(&ratio, 2),
                mean_se(&vocab, 2),
            ));
            let paper = if arm.series == NONE {
                ("≈ 55–60", "≈ 1.6–1.8")
            } else {
                ("≈ 38–42", "≈ 1.1–1.2")
            };
            out.push_str(&format!(
                "{:<34} {:>14} {:>16} {:>16} {:>16} {:>16} {:>16}\n",
                "  paper (read from Fig. 1)",
                format!("{PAPER_ZERO_SHOT:.0}"),
                format!("{PAPER_FINE_TUNED:.0}"),
                "—",
                paper.0,
                paper.1,
                "—"
            ));
        }
        if let Some(z) = self.zero_shot {
            let ft: Vec<f64> = self
                .rows
                .iter()
                .flat_map(|(_, c)| c.iter().filter_map(|c| c.test_perplexity.first()))
                .copied()
                .collect();
            if !ft.is_empty() {
                let mean = ft.iter().sum::<f64>() / ft.len() as f64;
                out.push_str(&format!(
                    "zero-shot / real fine-tuned: {:.2} (paper {:.2}); with repetition penalty 2 the paper reports the perplexity doubling.\n",
                    z / mean,
                    PAPER_ZERO_SHOT / PAPER_FINE_TUNED
                ));
            }
        }
        out
    }
}
