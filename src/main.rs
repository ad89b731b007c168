//! The `marquee` command line: checks and searches the catalog (the Discord bot comes later).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
