//! Every registered figure obeys the plotting layer's layout rules: each axis labels at least
//! three ticks with readable values, no legend box covers a plotted point, every series a title
//! or a legend promises has points, no closed form hides under the measurement it is compared
//! with, and no text runs past the canvas or over other text (`collapse_plot::Chart::lint`,
//! reached through `Drawing::lint`).
//!
//! The figures are rendered once each, at their default size and seed, exactly as
//! `collapse figures` renders them (about a minute on two cores, most of it the language-model
//! chain); nothing is written to disk.

use collapse::App;
use collapse_core::FigureEnv;

/// Ignored until every family has fixed its figures (issue 16): the families other than the
/// discrete one still break some rules, and this test prints each fault under its figure so
/// that they can be routed. Run it with `cargo test --release -p collapse-suite --test figures
/// -- --ignored`.
#[test]
#[ignore = "other families' figures still break layout rules (issue 16); remove once they are clean"]
fn every_figure_obeys_the_layout_rules() {
    let app = App::workspace();
    let env = FigureEnv::default();
    let mut faulty = Vec::new();
    for figure in app.figures() {
        let drawing = figure
            .render(&env)
            .unwrap_or_else(|e| panic!("figure {} could not be drawn: {e}", figure.name));
        let faults = drawing.lint();
        if !faults.is_empty() {
            eprintln!("{} ({} faults):", figure.name, faults.len());
            for f in &faults {
                eprintln!("  {f}");
            }
            faulty.push(figure.name);
        }
    }
    assert!(
        faulty.is_empty(),
        "{} figure(s) break the layout rules: {}",
        faulty.len(),
        faulty.join(", ")
    );
}

/// The discrete family's figures are clean now, and stay so; this part runs in CI (about four
/// seconds).
#[test]
fn discrete_figures_obey_the_layout_rules() {
    let app = App::workspace();
    let env = FigureEnv::default();
    for figure in app
        .figures()
        .filter(|f| f.name.starts_with("discrete-") || f.name.starts_with("sources-discrete"))
    {
        let drawing = figure
            .render(&env)
            .unwrap_or_else(|e| panic!("figure {} could not be drawn: {e}", figure.name));
        let faults = drawing.lint();
        assert!(
            faults.is_empty(),
            "figure {}:\n  {}",
            figure.name,
            faults.join("\n  ")
        );
    }
}
