//! The regression family's gallery figures obey the plotting layer's layout rules
//! (`Drawing::lint`: at least three labelled ticks per axis, no legend over a plotted point, every
//! promised series drawn, no closed form hidden under its measurement, no text off the canvas),
//! rendered at their default size and seed exactly as `collapse figures` renders them (about 20
//! s on two shared cores: the figures run their experiments); nothing is written to disk.

use collapse_core::FigureEnv;

#[test]
fn regression_figures_obey_the_layout_rules() {
    let env = FigureEnv::default();
    let mut faulty = Vec::new();
    for figure in collapse_regression::figures::figures() {
        let drawing = figure
            .render(&env)
            .unwrap_or_else(|e| panic!("figure {} could not be drawn: {e}", figure.name));
        let faults = drawing.lint();
        if !faults.is_empty() {
            faulty.push(format!("{}:\n  {}", figure.name, faults.join("\n  ")));
        }
    }
    assert!(faulty.is_empty(), "{}", faulty.join("\n"));
}
