//! Language-model figures: the two panels of Fig. 1b and of Fig. 1c (per-sequence perplexity
//! histograms by generation; real-test perplexity by generation for every run), time to forget
//! against a word's original count, and the figure of `collapse run lm-chain`.
//!
//! The three gallery figures read the same run of `lm-chain` at its defaults, the costliest run
//! of `collapse figures`: it is computed once per process, seed and parameters ([`shared_run`]).

use crate::experiment::LmChain;
use crate::names::{
    EXTINCT_AT_MEAN, EXTINCT_FRACTION, NONE, NONE_FORGET, PRESERVE, PRESERVE_FORGET,
    SAMPLE_PPL_BINS, TEST_PERPLEXITY,
};
use crate::simulation::{HIST_BINS, bin_edge};
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
        .filter(|r| r.series == series && SAMPLE_PPL_BINS.contains(&r.metric.as_str()))
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
                let h = rows
                    .iter()
                    .find(|r| r.series == series && r.step == g && r.metric == SAMPLE_PPL_BINS[b])
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

fn fig1(env: &FigureEnv<'_>, series: &str, sets: &[(&str, &str)]) -> Result<Chart, FigureError> {
    let run = shared_run(env, sets)?;
    let setting = if series == NONE {
        "no original data"
    } else {
        "10% original data preserved"
    };
    let left = histogram_panel(
        &run.summary,
        series,
        &format!("{setting}: per-block perplexity"),
    );
    let mut right = Panel::new(
        "perplexity on the real test split",
        "trained on data of step (1 = real)",
        "test perplexity",
    )
    .log_y()
    .legend(Legend::UpperLeft);
    // Records are in canonical order: by replicate, then by step.
    let ppl = run
        .records
        .iter()
        .filter(|x| x.series == series && x.metric == TEST_PERPLEXITY);
    let mut curves: Vec<(u64, Vec<(f64, f64)>)> = Vec::new();
    for x in ppl {
        match curves.last_mut() {
            Some((r, pts)) if *r == x.replicate => pts.push((x.step as f64, x.value)),
            _ => curves.push((x.replicate, vec![(x.step as f64, x.value)])),
        }
    }
    for (r, pts) in curves {
        right.push(Series::line(format!("run {}", r + 1), r as usize, pts));
    }
    Ok(Chart::grid(
        format!(
            "n-gram LM on WikiText-2, {setting} (Nature Fig. 1{} analogue)",
            if series == NONE { "b" } else { "c" }
        ),
        run.command.clone(),
        vec![left, right],
        2,
    ))
}

fn forget(env: &FigureEnv<'_>, sets: &[(&str, &str)]) -> Result<Chart, FigureError> {
    let run = shared_run(env, sets)?;
    let rows = &run.summary;
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
        (NONE_FORGET, "no original data"),
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
/// step, and the per-block perplexity histograms of each setting run.
pub fn run_figure(run: &RunView<'_>) -> Chart {
    let rows = run.summary;
    let mut panels = Vec::new();
    let mut test = Panel::new(
        "perplexity on the real test split (mean over runs)",
        "trained on data of step (1 = real)",
        "test perplexity",
    );
    for (i, s) in [NONE, PRESERVE].into_iter().enumerate() {
        let pts = summary_curve(rows, s, TEST_PERPLEXITY, |r| r.mean);
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
