//! The README's Slurm recipe cannot drift from what runs it. The README shows
//! `scripts/slurm/array.sh` and `scripts/slurm/merge.sh` verbatim, each in a fenced block, and
//! two `sbatch` commands; `scripts/slurm-array-test.sh` (run by CI on a real Slurm) submits those
//! same files with those same commands, adding only the options that scale the test down
//! (`"${NAME[@]}"` arrays) and `--parsable` to capture the merge job's id.

use std::path::Path;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const SECTION: &str = "### Many machines: shards and Slurm";

/// The README's section on Slurm, from its heading to the next heading of level 2 or 3.
fn section(readme: &str) -> &str {
    let start = readme
        .find(SECTION)
        .unwrap_or_else(|| panic!("README.md has no heading `{SECTION}`"));
    let body = &readme[start + SECTION.len()..];
    let end = ["\n## ", "\n### "]
        .iter()
        .filter_map(|h| body.find(h))
        .min()
        .unwrap_or(body.len());
    &readme[start..start + SECTION.len() + end]
}

/// The contents of the fenced ```` ```sh ```` blocks of `text`, each line ending in a newline.
fn sh_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "a ```sh block is not closed");
    blocks
}

/// An `sbatch` command line without what the test script may add: a `NAME=$(…)` capture of its
/// output, `--parsable`, and `"${NAME[@]}"` arrays of options.
fn normalise(line: &str) -> String {
    let mut l = line.trim();
    if let Some(eq) = l.find("=$(")
        && is_name(&l[..eq])
        && l.ends_with(')')
    {
        l = &l[eq + 3..l.len() - 1];
    }
    l.split_whitespace()
        .filter(|w| *w != "--parsable" && !(w.starts_with("\"${") && w.ends_with("[@]}\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of `text` that run `sbatch`: `sbatch …` or `NAME=$(sbatch …)`.
fn sbatch_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            let command = match l.find("=$(") {
                Some(eq) if is_name(&l[..eq]) => &l[eq + 3..],
                _ => l,
            };
            command.starts_with("sbatch ")
        })
        .collect()
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[test]
fn the_readme_shows_the_two_job_scripts_verbatim() {
    let readme = read("README.md");
    let blocks = sh_blocks(section(&readme));
    for file in ["scripts/slurm/array.sh", "scripts/slurm/merge.sh"] {
        let text = read(file);
        assert!(
            blocks.contains(&text),
            "no ```sh block in the README's section `{SECTION}` is identical to {file}; \
             paste the file into the README (or fix the file)\n--- {file}:\n{text}"
        );
    }
}

#[test]
fn the_test_script_submits_the_readme_commands() {
    let readme = read("README.md");
    let blocks = sh_blocks(section(&readme));
    let readme_commands: Vec<&str> = blocks.iter().flat_map(|b| sbatch_lines(b)).collect();
    assert_eq!(
        readme_commands.len(),
        2,
        "the README's section should show two sbatch commands (array, merge): {readme_commands:?}"
    );
    assert!(readme_commands[0].contains("scripts/slurm/array.sh"));
    assert!(readme_commands[1].contains("--dependency=afterok:$JOBID"));
    assert!(readme_commands[1].contains("scripts/slurm/merge.sh"));

    let script = read("scripts/slurm-array-test.sh");
    let script_commands: Vec<String> = sbatch_lines(&script).into_iter().map(normalise).collect();
    let wanted: Vec<String> = readme_commands.iter().map(|l| normalise(l)).collect();
    assert_eq!(
        script_commands, wanted,
        "scripts/slurm-array-test.sh must submit exactly the README's sbatch commands, in order \
         (it may add `--parsable`, `\"${{NAME[@]}}\"` option arrays and capture the output)"
    );
}

#[test]
fn normalise_keeps_the_command_and_drops_the_test_additions() {
    assert_eq!(
        normalise(r#"JOBID=$(sbatch --parsable "${scaled_down[@]}" "$REPO/scripts/slurm/a.sh")"#),
        r#"sbatch "$REPO/scripts/slurm/a.sh""#
    );
    assert_eq!(
        normalise(r#"  sbatch --dependency=afterok:$JOBID "$REPO/m.sh""#),
        r#"sbatch --dependency=afterok:$JOBID "$REPO/m.sh""#
    );
    // A different option, file or dependency is not dropped.
    assert_ne!(
        normalise(r#"sbatch --array=0-3 a.sh"#),
        normalise(r#"sbatch a.sh"#)
    );
    assert_eq!(
        sbatch_lines(
            "# sbatch in a comment\nX=$(sbatch a.sh)\nfor c in sbatch sinfo; do\n  sbatch b.sh\n"
        ),
        vec!["X=$(sbatch a.sh)", "sbatch b.sh"]
    );
}

#[test]
fn the_test_script_checks_the_run_the_recipe_writes() {
    // The reference run uses the seed array.sh runs with, and the merged run is read where
    // merge.sh writes it; otherwise the comparison would fail on a real Slurm for a wrong reason.
    let script = read("scripts/slurm-array-test.sh");
    let seed = script
        .lines()
        .find_map(|l| l.strip_prefix("SEED="))
        .expect("scripts/slurm-array-test.sh sets SEED=");
    assert!(
        read("scripts/slurm/array.sh").contains(&format!("--seed {seed} ")),
        "scripts/slurm/array.sh does not run with --seed {seed}, the test script's SEED"
    );
    let out = "runs/gaussian-chain-1";
    assert!(read("scripts/slurm/merge.sh").contains(&format!("--out {out}\n")));
    assert!(script.contains(&format!("\"$WORK/run/{out}\"")));
}
