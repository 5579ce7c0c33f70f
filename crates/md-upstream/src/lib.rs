//! Nothing here: see tests/upstream.rs.
