//! The `marquee` command line: runs the gateway bot (the default), the HTTP endpoint or the
//! playground, and searches, checks and previews the catalog offline (see `cli`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
