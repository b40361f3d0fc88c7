//! lockstep-fetch (work in progress).
#![forbid(unsafe_code)]
