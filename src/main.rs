use clap::Parser;

fn main() -> std::process::ExitCode {
    passerelle::cli::main_with(passerelle::cli::Cli::parse())
}
