//! Language-model figures: the two panels of Fig. 1b and of Fig. 1c (per-sequence perplexity
//! histograms by generation; real-test perplexity by generation for every run), and time to
//! forget against a word's original count.

use crate::plot::{Chart, FigureError, Legend, Panel, Series, summary_curve};
use crate::{FigureEnv, FigureSpec, RunFigure, provenance};
use collapse_core::records::summarize;
use collapse_core::{Params, Record, SummaryRow};
use collapse_ngram::experiment::{HIST_BINS, HIST_MAX, ID, experiment};
use std::sync::{Mutex, OnceLock};

/// The gallery figures of the family.
pub fn figures() -> Vec<FigureSpec> {
    vec![
        FigureSpec {
            name: "lm-fig1b-no-data-preserved",
            title: "Fig. 1b analogue",
            render: |e| fig1(e, "none"),
        },
        FigureSpec {
            name: "lm-fig1c-10pct-preserved",
            title: "Fig. 1c analogue",
            render: |e| fig1(e, "preserve"),
        },
        FigureSpec {
            name: "lm-time-to-forget",
            title: "Time to forget a word",
            render: forget,
        },
    ]
}

/// The figure of `collapse run lm-chain`.
pub fn run_figures() -> Vec<RunFigure> {
    vec![RunFigure {
        experiment: ID,
        draw: run_figure,
    }]
}

/// The default run, computed once per seed for the three figures.
fn default_run(env: &FigureEnv<'_>) -> Result<(Params, Vec<Record>, Vec<SummaryRow>), FigureError> {
    type Cached = (u64, Params, Vec<Record>, Vec<SummaryRow>);
    static CACHE: OnceLock<Mutex<Option<Cached>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(None));
    let mut guard = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((seed, p, r, s)) = guard.as_ref()
        && *seed == env.seed
    {
        return Ok((p.clone(), r.clone(), s.clone()));
    }
    let (p, out) = env.run(&experiment(), &[])?;
    let s = summarize(&out.records, &out.theory);
    *guard = Some((env.seed, p.clone(), out.records.clone(), s.clone()));
    Ok((p, out.records, s))
}

fn bin_edge(i: usize) -> f64 {
    10f64.powf(HIST_MAX.log10() * i as f64 / HIST_BINS as f64)
}

/// Histogram of per-sequence perplexity for the data written at each shown generation.
fn histogram_panel(rows: &[SummaryRow], series: &str, title: &str) -> Panel {
    let mut panel = Panel::new(
        title,
        "perplexity of generated block under the step-1 model",
        "fraction of blocks",
    )
    .log_x();
    let last = rows
        .iter()
        .filter(|r| r.series == series && r.metric.starts_with("sample_ppl_bin"))
        .map(|r| r.step)
        .max()
        .unwrap_or(0);
    let mut shown: Vec<u64> = [0u64, 1, 2, 3, 5, 9]
        .into_iter()
        .filter(|&g| g <= last)
        .collect();
    if !shown.contains(&last) {
        shown.push(last);
    }
    for (i, g) in shown.into_iter().enumerate() {
        let pts: Vec<(f64, f64)> = (0..HIST_BINS)
            .map(|b| {
                let name = format!("sample_ppl_bin_{b:02}");
                let h = rows
                    .iter()
                    .find(|r| r.series == series && r.step == g && r.metric == name)
                    .map_or(0.0, |r| r.mean);
                ((bin_edge(b) * bin_edge(b + 1)).sqrt(), h)
            })
            .collect();
        let label = if g == 0 {
            "real data".to_string()
        } else {
            format!("written by generation {g}")
        };
        panel.push(Series::line(label, i, pts));
    }
    panel
}

fn fig1(env: &FigureEnv<'_>, series: &str) -> Result<Chart, FigureError> {
    let (p, records, rows) = default_run(env)?;
    let setting = if series == "none" {
        "no original data"
    } else {
        "10% original data preserved"
    };
    let left = histogram_panel(&rows, series, &format!("{setting}: per-block perplexity"));
    let mut right = Panel::new(
        "perplexity on the real test split",
        "trained on data of step (1 = real)",
        "test perplexity",
    )
    .log_y()
    .legend(Legend::UpperLeft);
    let runs: u64 = p.int("replicates") as u64;
    for r in 0..runs {
        let mut pts: Vec<(f64, f64)> = records
            .iter()
            .filter(|x| x.series == series && x.replicate == r && x.metric == "test_perplexity")
            .map(|x| (x.step as f64, x.value))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        right.push(Series::line(format!("run {}", r + 1), r as usize, pts));
    }
    let params: Vec<(&str, String)> = [
        "order",
        "smoothing",
        "decoding",
        "beams",
        "generations",
        "replicates",
    ]
    .iter()
    .map(|k| (*k, p.get(k).to_string()))
    .collect();
    Ok(Chart::grid(
        format!(
            "n-gram LM on WikiText-2, {setting} (Nature Fig. 1{} analogue)",
            if series == "none" { "b" } else { "c" }
        ),
        provenance(ID, &params, env.seed),
        vec![left, right],
        2,
    ))
}

fn forget(env: &FigureEnv<'_>) -> Result<Chart, FigureError> {
    let (p, _, rows) = default_run(env)?;
    let mut frac = Panel::new(
        "fraction of words lost by the last generation",
        "count in the original corpus",
        "fraction extinct",
    )
    .log_x();
    let mut when = Panel::new(
        "mean generation of extinction (survivors: generations + 1)",
        "count in the original corpus",
        "generation",
    )
    .log_x();
    for (i, (s, label)) in [
        ("none-forget", "no original data"),
        ("preserve-forget", "10% preserved"),
    ]
    .into_iter()
    .enumerate()
    {
        frac.push(Series::markers(
            label,
            i,
            summary_curve(&rows, s, "extinct_fraction", |r| r.mean),
        ));
        when.push(Series::markers(
            label,
            i,
            summary_curve(&rows, s, "extinct_at_mean", |r| r.mean),
        ));
    }
    let params: Vec<(&str, String)> = ["order", "decoding", "generations"]
        .iter()
        .map(|k| (*k, p.get(k).to_string()))
        .collect();
    Ok(Chart::grid(
        "Rare words are forgotten first",
        provenance(ID, &params, env.seed),
        vec![frac, when],
        2,
    ))
}

fn run_figure(p: &Params, rows: &[SummaryRow], seed: u64) -> Chart {
    let mut panels = Vec::new();
    let mut test = Panel::new(
        "perplexity on the real test split (mean over runs)",
        "trained on data of step (1 = real)",
        "test perplexity",
    );
    for (i, s) in ["none", "preserve"].into_iter().enumerate() {
        let pts = summary_curve(rows, s, "test_perplexity", |r| r.mean);
        if !pts.is_empty() {
            test.push(Series::line(s, i, pts));
            panels.push(histogram_panel(
                rows,
                s,
                &format!("{s}: per-block perplexity"),
            ));
        }
    }
    panels.insert(0, test);
    let params: Vec<(&str, String)> = p
        .iter()
        .filter(|(k, _)| !k.contains("corpus"))
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    let n = panels.len();
    Chart::grid("lm-chain", provenance(ID, &params, seed), panels, n)
}
