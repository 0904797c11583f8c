//! Every registered figure obeys the plotting layer's layout rules: each axis labels at least
//! three ticks with readable values, no legend box covers a plotted point, every series a title
//! or a legend promises has points, no closed form hides under the measurement it is compared
//! with, and no text runs past the canvas or over other text (`collapse_plot::Chart::lint`,
//! reached through `Drawing::lint`).
//!
//! The figures are rendered once each, at their default size and seed, exactly as
//! `collapse figures` renders them (about 75 s on two cores, most of it the self-training map,
//! the language-model chain and the linear VAEs); nothing is written to disk. Each fault is
//! printed under its figure.

use collapse::App;
use collapse_core::FigureEnv;

#[test]
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
