//! Random: tasks drawn uniformly over the whole space. The baseline every
//! curriculum must beat.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::util::uniform_task;
use crate::{Episode, Teacher, TeacherContext};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "random",
    summary: "uniform over the space",
    needs_expert: false,
    initial_from: Expert::Low,
    quick: "",
    make: |cfg, ctx, seed| Ok(Box::new(RandomTeacher::new(ctx, config(DESCRIPTOR.name, cfg)?, seed))),
    restore: restore_serde::<RandomTeacher>,
};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// Random has no settings.
pub struct RandomConfig {}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The Random teacher: uniform tasks over the space.
pub struct RandomTeacher {
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    episodes: u64,
}

impl RandomTeacher {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, _cfg: RandomConfig, seed: u64) -> Self {
        Self {
            ctx,
            rng: trellis_core::rng::seeded(seed, 0),
            episodes: 0,
        }
    }
}

impl Teacher for RandomTeacher {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        uniform_task(&self.ctx.space, &mut self.rng)
    }

    fn update(&mut self, _episode: &Episode) {
        self.episodes += 1;
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({ "teacher": "random", "episodes": self.episodes })
    }
}
