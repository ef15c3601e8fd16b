//! The `farmstream` binary; see `farmstream --help`.

// Argon2id checks allocate 19 MiB each on blocking threads; glibc's
// per-thread arenas kept such blocks after a burst of logins, so the peak
// stayed resident. mimalloc returns freed memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    farmstream::cli::run()
}
