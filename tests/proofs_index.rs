//! Every check id named in proofs/ (after `**Check:**`) is registered, and every registered
//! check is named in proofs/.

use std::collections::BTreeSet;

#[test]
fn proofs_name_exactly_the_registered_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs");
    let mut named = BTreeSet::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            if let Some(rest) = line.split("**Check:**").nth(1) {
                for id in rest.split('`').skip(1).step_by(2) {
                    assert!(
                        named.insert(id.trim().to_string()),
                        "{id} is named twice in proofs/"
                    );
                }
            }
        }
    }
    let registered: BTreeSet<String> = collapse::App::workspace()
        .checks()
        .map(|c| c.id.to_string())
        .collect();
    let missing: Vec<_> = registered.difference(&named).collect();
    let unknown: Vec<_> = named.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "registered but not in proofs/: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "named in proofs/ but not registered: {unknown:?}"
    );
}
