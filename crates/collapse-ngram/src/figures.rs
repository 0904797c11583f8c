//! Language-model figures: the two panels of Fig. 1b and of Fig. 1c (histograms of per-block
//! perplexity of each generation's data under the generation-0 model; real-test perplexity by
//! generation, every run with the mean ± sd), time to forget against a word's original count,
//! and the figure of `collapse run lm-chain`.
//!
//! The three gallery figures read the same run of `lm-chain` at its defaults, the costliest run
//! of `collapse figures`: it is computed once per process, seed and parameters ([`shared_run`]).

use crate::experiment::LmChain;
use crate::names::{
    EXTINCT_AT_MEAN, EXTINCT_FRACTION, NONE, NONE_FORGET, PRESERVE, PRESERVE_FORGET,
    SAMPLE_PPL_BINS, TEST_PERPLEXITY,
};
use crate::simulation::{HIST_BINS, HIST_MAX, bin_edge};
use collapse_core::{
    DynExperiment, Figure, FigureEnv, FigureError, FigureRun, Params, RunView, SummaryRow,
};
use collapse_plot::{Chart, Legend, Panel, Series, summary_curve};
use std::sync::{Arc, Mutex, OnceLock};

/// The gallery figures of the family.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure::new("lm-fig1b-no-data-preserved", "Fig. 1b analogue", |e| {
            fig1(e, NONE, &[])
        }),
        Figure::new("lm-fig1c-10pct-preserved", "Fig. 1c analogue", |e| {
            fig1(e, PRESERVE, &[])
        }),
        Figure::new("lm-time-to-forget", "Time to forget a word", |e| {
            forget(e, &[])
        }),
    ]
}

/// What a shared run is keyed by: everything its records and its caption depend on.
#[derive(Clone, Debug, PartialEq)]
struct RunKey {
    seed: u64,
    program: String,
    params: Params,
}

/// The last shared run and its key.
struct Shared {
    key: RunKey,
    run: Arc<FigureRun>,
}

/// The run of `lm-chain` at its defaults overridden by `sets`, as [`FigureEnv::run`] makes it,
/// computed once per process for the same seed, parameters and program name (the figures of
/// one `collapse figures` share it). The last run is kept; another key replaces it. A corpus
/// named by a path is keyed by its path, not by the file's content.
pub fn shared_run(
    env: &FigureEnv<'_>,
    sets: &[(&str, &str)],
) -> Result<Arc<FigureRun>, FigureError> {
    static CACHE: OnceLock<Mutex<Option<Shared>>> = OnceLock::new();
    let x = DynExperiment::new(LmChain);
    // The resolved parameters, without loading the corpora (that is `configure`'s work, done
    // only on a miss).
    let mut params = x.defaults();
    for (k, v) in sets {
        params.set_text(x.params(), k, v)?;
    }
    let key = RunKey {
        seed: env.seed,
        program: env.program.to_string(),
        params,
    };
    let cache = CACHE.get_or_init(|| Mutex::new(None));
    // Held while the run is computed, so figures drawn at once wait for one run.
    let mut slot = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(shared) = slot.as_ref()
        && shared.key == key
    {
        return Ok(shared.run.clone());
    }
    let run = Arc::new(env.run(&x, sets)?);
    *slot = Some(Shared {
        key,
        run: run.clone(),
    });
    Ok(run)
}

/// The generations the histograms show: the paper's 0, 1, 2, 3, 5 and 9, and the last one.
fn shown_generations(rows: &[SummaryRow], series: &str) -> Vec<u64> {
    let last = rows
        .iter()
        .filter(|r| r.series == series && r.metric == SAMPLE_PPL_BINS[0])
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
    shown
}

/// Histogram of per-block perplexity of each shown generation's data under the generation-0
/// model (the left panel of Fig. 1b/1c). The x axis spans the decades the histograms reach
/// (every bin with mass lies inside it).
fn histogram_panel(rows: &[SummaryRow], series: &str, title: &str) -> Panel {
    let mut curves = Vec::new();
    let mut top: f64 = 0.0;
    // The first and last bins with mass in any shown generation.
    let (mut first, mut last) = (HIST_BINS, 0);
    for g in shown_generations(rows, series) {
        let h: Vec<f64> = (0..HIST_BINS)
            .map(|b| {
                rows.iter()
                    .find(|r| r.series == series && r.step == g && r.metric == SAMPLE_PPL_BINS[b])
                    .map_or(0.0, |r| r.mean)
            })
            .collect();
        for (b, &x) in h.iter().enumerate() {
            if x > 0.0 {
                first = first.min(b);
                last = last.max(b);
            }
            top = top.max(x);
        }
        curves.push((g, h));
    }
    // Whole decades around the bins with mass (ten bins a decade).
    let decade = |edge: f64, up: bool| {
        let l = edge.log10();
        10f64.powf(if up { l.ceil() } else { l.floor() })
    };
    let (lo, hi) = if first <= last {
        (
            decade(bin_edge(first), false),
            decade(bin_edge(last + 1), true),
        )
    } else {
        (1.0, HIST_MAX)
    };
    let (lo, hi) = (lo.max(1.0), hi.min(HIST_MAX).max(lo * 10.0));
    let mut panel = Panel::new(
        title,
        "perplexity of a training block under the generation-0 model",
        "fraction of blocks",
    )
    .log_x()
    .x_range(lo, hi);
    for (i, (g, h)) in curves.into_iter().enumerate() {
        let pts: Vec<(f64, f64)> = h
            .iter()
            .enumerate()
            .map(|(b, &x)| ((bin_edge(b) * bin_edge(b + 1)).sqrt(), x))
            .filter(|p| p.0 >= lo && p.0 <= hi)
            .collect();
        let label = if g == 0 {
            "generation 0 (real data)".to_string()
        } else {
            format!("generation {g}")
        };
        panel.push(Series::line(label, i, pts));
    }
    // Headroom above the highest bin for the legend.
    panel.y_range(0.0, (top * 1.3).max(0.1))
}

/// A log axis around `[lo, hi]`: from the 1-2-5 value below `lo` to the 1-2-5 value above
/// `hi` (with a tenth of headroom each side), at least a factor of 5 wide, so that at least
/// three 1-2-5 ticks are labelled and the highest value sits under a labelled tick.
fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let steps = |x: f64| {
        let p = 10f64.powf(x.max(1e-300).log10().floor());
        [1.0, 2.0, 5.0, 10.0].map(|m| m * p)
    };
    let lo = lo / 1.1;
    let bottom = steps(lo).into_iter().rev().find(|&b| b <= lo).unwrap_or(lo);
    let hi = (hi * 1.1).max(bottom * 5.0);
    let top = steps(hi).into_iter().find(|&t| t >= hi).unwrap_or(hi);
    (bottom, top)
}

/// Test perplexity by generation: every run, their mean and mean ± one standard deviation
/// (the right panel of Fig. 1b/1c). The runs' markers stand side by side around each
/// generation (offsets within ±0.25), so that runs closer than a marker's width stay visible.
fn test_panel(run: &FigureRun, series: &str) -> Panel {
    // Records are in canonical order: by replicate, then by step.
    let mut curves: Vec<(u64, Vec<(f64, f64)>)> = Vec::new();
    for x in run
        .records
        .iter()
        .filter(|x| x.series == series && x.metric == TEST_PERPLEXITY)
    {
        match curves.last_mut() {
            Some((r, pts)) if *r == x.replicate => pts.push((x.step as f64, x.value)),
            _ => curves.push((x.replicate, vec![(x.step as f64, x.value)])),
        }
    }
    let rows: Vec<&SummaryRow> = run
        .summary
        .iter()
        .filter(|r| r.series == series && r.metric == TEST_PERPLEXITY)
        .collect();
    let xs: Vec<f64> = rows.iter().map(|r| r.step as f64).collect();
    let sd = |r: &SummaryRow| r.std_error * (r.count as f64).sqrt();
    let lower: Vec<f64> = rows.iter().map(|r| r.mean - sd(r)).collect();
    let upper: Vec<f64> = rows.iter().map(|r| r.mean + sd(r)).collect();
    let values = curves.iter().flat_map(|c| c.1.iter().map(|p| p.1));
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(0.0, f64::max);
    let (bottom, top) = log_range(lo, hi);
    let mut panel = Panel::new(
        "perplexity on the real test split (runs side by side)",
        "trained on data of generation (0 = real)",
        "test perplexity",
    )
    .log_y()
    .y_range(bottom, top)
    .legend(Legend::UpperLeft);
    panel.push(Series::band(0, &xs, &lower, &upper));
    panel.push(Series::line(
        format!("mean ± sd of {} runs", curves.len()),
        0,
        rows.iter().map(|r| (r.step as f64, r.mean)).collect(),
    ));
    let runs = curves.len();
    for (k, (r, pts)) in curves.into_iter().enumerate() {
        let dx = if runs > 1 {
            0.5 * (k as f64 / (runs - 1) as f64 - 0.5)
        } else {
            0.0
        };
        panel.push(Series::markers(
            format!("run {}", r + 1),
            1 + r as usize,
            pts.into_iter().map(|(x, y)| (x + dx, y)).collect(),
        ));
    }
    panel
}

fn fig1(env: &FigureEnv<'_>, series: &str, sets: &[(&str, &str)]) -> Result<Chart, FigureError> {
    let run = shared_run(env, sets)?;
    let setting = if series == NONE {
        "no data preserved"
    } else {
        "10% of the real data preserved"
    };
    let left = histogram_panel(
        &run.summary,
        series,
        &format!("{setting}: per-block perplexity"),
    );
    Ok(Chart::grid(
        format!(
            "n-gram LM fine-tuned from a fixed pretrained start on WikiText-2, {setting} (Nature Fig. 1{} analogue)",
            if series == NONE { "b" } else { "c" }
        ),
        run.command.clone(),
        vec![left, test_panel(&run, series)],
        2,
    ))
}

fn forget(env: &FigureEnv<'_>, sets: &[(&str, &str)]) -> Result<Chart, FigureError> {
    let run = shared_run(env, sets)?;
    let rows = &run.summary;
    let generations = run.params.int("generations") as f64;
    // The legend goes where the layout finds no point (rare words are lost early and in
    // both settings, so the corners at small counts are the free ones).
    let mut frac = Panel::new(
        "fraction of words lost by the last generation",
        "count in the original corpus",
        "fraction extinct",
    )
    .log_x()
    .y_range(0.0, 1.05)
    .legend(Legend::LowerLeft);
    let mut when = Panel::new(
        "mean generation of extinction (survivors: generations)",
        "count in the original corpus",
        "generation",
    )
    .log_x()
    .y_range(0.0, generations + 0.5)
    .legend(Legend::UpperLeft);
    for (i, (s, label)) in [
        (NONE_FORGET, "no data preserved"),
        (PRESERVE_FORGET, "10% preserved"),
    ]
    .into_iter()
    .enumerate()
    {
        frac.push(Series::markers(
            label,
            i,
            summary_curve(rows, s, EXTINCT_FRACTION, |r| r.mean),
        ));
        when.push(Series::markers(
            label,
            i,
            summary_curve(rows, s, EXTINCT_AT_MEAN, |r| r.mean),
        ));
    }
    Ok(Chart::grid(
        "Rare words are forgotten first",
        run.command.clone(),
        vec![frac, when],
        2,
    ))
}

/// The figure of `collapse run lm-chain`, drawn from its summary: mean test perplexity by
/// generation, and the per-block perplexity histograms of each setting run.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let mut panels = Vec::new();
    let mut test = Panel::new(
        "perplexity on the real test split (mean over runs)",
        "trained on data of generation (0 = real)",
        "test perplexity",
    )
    .legend(Legend::UpperLeft);
    let mut lo = f64::INFINITY;
    let mut hi: f64 = 0.0;
    for (i, s) in [NONE, PRESERVE].into_iter().enumerate() {
        let pts = summary_curve(rows, s, TEST_PERPLEXITY, |r| r.mean);
        if !pts.is_empty() {
            for p in &pts {
                lo = lo.min(p.1);
                hi = hi.max(p.1);
            }
            test.push(Series::line(s, i, pts));
            panels.push(histogram_panel(
                rows,
                s,
                &format!("{s}: per-block perplexity"),
            ));
        }
    }
    if lo.is_finite() && hi > 0.0 {
        let (bottom, top) = log_range(lo, hi);
        test = test.log_y().y_range(bottom, top);
    }
    panels.insert(0, test);
    let n = panels.len();
    Chart::grid("lm-chain", run.command, panels, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: [(&str, &str); 3] = [
        ("generations", "2"),
        ("replicates", "2"),
        ("max_tokens", "3000"),
    ];

    #[test]
    fn the_figures_render_from_one_shared_run() {
        let dir = tempfile::tempdir().unwrap();
        let env = FigureEnv {
            seed: 5,
            ..FigureEnv::default()
        };
        let a = shared_run(&env, &SMALL).unwrap();
        fig1(&env, NONE, &SMALL)
            .unwrap()
            .save(dir.path(), "b")
            .unwrap();
        fig1(&env, PRESERVE, &SMALL)
            .unwrap()
            .save(dir.path(), "c")
            .unwrap();
        forget(&env, &SMALL).unwrap().save(dir.path(), "f").unwrap();
        let b = shared_run(&env, &SMALL).unwrap();
        // Other tests may run other keys in between; when nothing did, the run is shared.
        if !Arc::ptr_eq(&a, &b) {
            assert_eq!(a.records, b.records);
        }
        assert_eq!(
            a.command,
            "collapse run lm-chain --set generations=2 --set replicates=2 --set max_tokens=3000 --seed 5"
        );
        let view = RunView {
            params: &a.params,
            summary: &a.summary,
            command: &a.command,
        };
        run_figure(&view).save(dir.path(), "r").unwrap();
    }

    #[test]
    fn the_shared_run_is_keyed_by_seed_and_parameters() {
        let env = FigureEnv {
            seed: 6,
            ..FigureEnv::default()
        };
        let other_seed = FigureEnv {
            seed: 7,
            ..FigureEnv::default()
        };
        let sets = [
            ("generations", "2"),
            ("replicates", "1"),
            ("max_tokens", "2000"),
        ];
        let a = shared_run(&env, &sets).unwrap();
        let b = shared_run(&other_seed, &sets).unwrap();
        assert!(b.command.ends_with("--seed 7"), "{}", b.command);
        assert_ne!(a.records, b.records);
        let more = [
            ("generations", "1"),
            ("replicates", "2"),
            ("max_tokens", "2000"),
        ];
        let c = shared_run(&env, &more).unwrap();
        assert_eq!(c.params.int("replicates"), 2);
        assert!(shared_run(&env, &[("order", "9")]).is_err());
    }
}
