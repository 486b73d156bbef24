//! Embodiments as data.
//!
//! A [`BodySpec`] lists rigid parts (shape, mass, where they sit when the body
//! is spawned), motorised hinges, passive hinges and grippers. One builder,
//! [`Body::spawn`], turns any spec into rapier bodies and joints, and one
//! controller maps actions to motors and reads the motor part of the
//! observation. A new embodiment is a new function returning a spec (most are
//! a hull plus [`BodySpec::add_limb`] chains), never a new copy of the
//! simulation code.

pub mod bipedal;
pub mod chimpanzee;
pub mod fish;
pub mod millipede;
pub mod quadruped;
pub mod spawn;
pub mod spec;
pub mod spider;
pub mod wheel;

pub use spawn::{Body, clean_action};
pub use spec::*;

/// A body in the table: its TeachMyAgent name, other names it answers to,
/// and the function that builds its spec.
#[derive(Clone, Copy, Debug)]
pub struct BodyEntry {
    /// The name configs and the command line use.
    pub name: &'static str,
    /// Other accepted names.
    pub aliases: &'static [&'static str],
    /// Builds the spec.
    pub build: fn() -> BodySpec,
}

/// Every body: adding one is a file with its builder and a line here.
pub const BODIES: &[BodyEntry] = &[
    BodyEntry {
        name: "old_classic_bipedal",
        aliases: &[],
        build: bipedal::old_classic,
    },
    BodyEntry {
        name: "classic_bipedal",
        aliases: &[],
        build: bipedal::classic,
    },
    BodyEntry {
        name: "small_bipedal",
        aliases: &[],
        build: bipedal::small,
    },
    BodyEntry {
        name: "big_bipedal",
        aliases: &[],
        build: bipedal::big,
    },
    BodyEntry {
        name: "big_quadru",
        aliases: &[],
        build: quadruped::big_quadru,
    },
    BodyEntry {
        name: "spider",
        aliases: &[],
        build: spider::spider,
    },
    BodyEntry {
        name: "millipede",
        aliases: &[],
        build: millipede::millipede,
    },
    BodyEntry {
        name: "wheel",
        aliases: &["wheelchair"],
        build: wheel::wheel,
    },
    BodyEntry {
        name: "climbing_profile_chimpanzee",
        aliases: &[],
        build: chimpanzee::climbing_profile,
    },
    BodyEntry {
        name: "climbing_chest_profile_chimpanzee",
        aliases: &[],
        build: chimpanzee::climbing_chest_profile,
    },
    BodyEntry {
        name: "fish",
        aliases: &[],
        build: fish::fish,
    },
];

/// Every body by name or alias.
pub fn by_name(name: &str) -> Option<BodySpec> {
    BODIES
        .iter()
        .find(|b| b.name == name || b.aliases.contains(&name))
        .map(|b| (b.build)())
}

/// The body names, one per body, in table order.
pub fn names() -> Vec<&'static str> {
    BODIES.iter().map(|b| b.name).collect()
}
