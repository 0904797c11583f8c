//! The registration point: every family's catalog joins the command, ids are unique across
//! families, and an outside catalog gets every command.

use collapse_core::{Catalog, Check, Outcome};

#[test]
fn ids_are_unique_across_all_families() {
    let catalogs = collapse::workspace_catalogs();
    collapse_core::catalog::validate(&catalogs).unwrap();
    let app = collapse::App::workspace();
    // Check ids and figure names start with their family's name (`--only FAMILY` selects a
    // family); experiment ids keep the names the command has always had (`gmm-chain`).
    for c in &catalogs {
        let prefixes: Vec<String> = match c.family {
            // The error-source experiments of two families share the `sources` prefix.
            "discrete" | "mixture" => vec![c.family.into(), "sources".into()],
            "lm" => vec!["lm".into()],
            f => vec![f.into()],
        };
        let ok = |id: &str| prefixes.iter().any(|p| id.starts_with(p.as_str()));
        for k in &c.checks {
            assert!(ok(k.id), "check {} of {}", k.id, c.family);
        }
        for f in &c.figures {
            assert!(ok(f.name), "figure {} of {}", f.name, c.family);
        }
    }
    assert!(app.experiments().count() >= 13);
    assert!(app.checks().count() >= 96);
}

#[test]
fn a_clash_between_families_is_refused_naming_both() {
    let twin = Catalog::new("twin").checks([Check::new(
        "gaussian.variance-unbiased",
        "a second check under an existing id",
        "test",
        |_| Outcome::exact(1.0, 1.0, 0.0),
    )]);
    let mut catalogs = collapse::workspace_catalogs();
    catalogs.push(twin);
    let e = collapse_core::catalog::validate(&catalogs).unwrap_err();
    assert!(
        e.contains("gaussian.variance-unbiased") && e.contains("gaussian") && e.contains("twin"),
        "{e}"
    );
}

#[test]
fn an_outside_catalog_gets_every_command() {
    let extra = Catalog::new("extra").checks([Check::new(
        "extra.one-is-one",
        "1 = 1",
        "arithmetic",
        |_| Outcome::exact(1.0, 1.0, 1e-12),
    )]);
    let app = collapse::App::workspace()
        .with(extra)
        .program("extra-collapse");
    let run = |args: &[&str]| {
        let argv: Vec<String> = std::iter::once("extra-collapse")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = app.main(&argv, &mut out, &mut err);
        (code, String::from_utf8(out).unwrap())
    };
    let (code, out) = run(&["list"]);
    assert_eq!(code, 0);
    assert!(out.contains("extra.one-is-one") && out.contains("gaussian-chain"));
    let (code, out) = run(&["verify", "--only", "extra."]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 passed, 0 failed"), "{out}");
}
