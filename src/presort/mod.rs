//! presort
