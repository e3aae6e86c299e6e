//! Pure domain types and rules: no I/O, no UI, no store.
//!
//! Stored records are versioned by the store's envelope; when one of these
//! structs changes shape, its previous layout moves to `store::legacy` with a
//! conversion, so old stores keep opening.
//!
//! bincode stores enum variants by position and struct fields in order:
//! add enum variants only at the end, and never reorder or remove fields of a
//! stored type without a new format version (see `store::legacy`).

pub mod agenda;
pub mod beneficiary;
pub mod branch;
pub mod dispositif;
pub mod id;
pub mod immersion;
pub mod interview;
pub mod metier;
pub mod mobilite;
pub mod money;
pub mod plan;
pub mod plan_template;
pub mod rules;
pub mod schedule;
pub mod session;
pub mod time;

pub use beneficiary::*;
pub use branch::*;
pub use dispositif::*;
pub use id::Id;
pub use immersion::*;
pub use interview::*;
pub use metier::*;
pub use mobilite::{Mobilities, Mobility, MobilityKind};
pub use money::Cents;
// Explicit, so that `plan::v1` (the frozen store-format-1 layout) does not
// land at the root where another module's `v1` could clash with it.
pub use plan::{
    CpfDateBasis, CpfExemption, CpfLine, CpfPicture, EligibilityFacts, FundingLine, FundingStatus,
    FundingTotals, Participation, Plan, PlanSummary, PlanTarget, Step, StepKind, StepStatus,
};
pub use plan_template::*;
pub use session::{InfoSession, SessionRegistration};
