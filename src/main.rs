//! The `farmstream` binary; see `farmstream --help`.

fn main() -> std::process::ExitCode {
    farmstream::cli::run()
}
