//! lockstep-structure (work in progress).
#![forbid(unsafe_code)]
