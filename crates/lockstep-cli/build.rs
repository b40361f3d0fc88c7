//! Build script of `lockstep`: links the release binary as a fixed-address (non-PIE)
//! executable on Linux with glibc.
//!
//! Why (issue 20, BENCHMARKS.md "Process start and the screen's serial parts"): as a PIE the
//! binary carries about 44,000 run-time relative relocations, mostly the pointers of the
//! time-zone tables of `chrono-tz` (every IANA zone, `--tz` takes any), which the dynamic
//! loader patches at every start, copying the 1.2 MB of `.data.rel.ro` page by page: about
//! 300 of the 590 page faults and 1 ms of the 2.8 ms CPU time of `lockstep --version`, before
//! any command runs. Linked without PIE those addresses are fixed at link time (3 relocations
//! left). The cost: the executable itself is not placed at a random address (its libraries,
//! stack and heap still are). Only the binary, only `--release`; tests, the library crates and
//! the Python module are untouched.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("PROFILE") == "release"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
