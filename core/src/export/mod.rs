//! Exports: the audit pack (DESIGN §4) and the portfolio report.

pub mod audit_pack;
pub mod pdf;
pub mod portfolio;
