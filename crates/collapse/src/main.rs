//! The `collapse` command; all logic lives in the library so tests can drive it in-process.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = collapse::main_with(&args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
