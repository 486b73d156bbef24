//! Robust PLR (Jiang et al., 2021, "Replay-Guided Adversarial Environment
//! Design"): PLR in which the student learns only from replayed tasks; new
//! tasks are played without gradient updates, just to score them. The
//! algorithm is [`crate::plr::Plr`] with its `robust` switch on; the dcd
//! bipedal settings are PLR's.

use crate::plr::{Plr, QUICK, ROBUST_NAME};
use crate::registry::{Descriptor, config, restore_serde};
use trellis_core::Expert;

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: ROBUST_NAME,
    summary: "PLR that learns from replayed tasks only (new ones are just scored)",
    needs_expert: false,
    initial_from: Expert::High,
    quick: QUICK,
    make: |cfg, ctx, seed| Ok(Box::new(Plr::new(ctx, config(DESCRIPTOR.name, cfg)?, true, seed)?)),
    restore: restore_serde::<Plr>,
};
