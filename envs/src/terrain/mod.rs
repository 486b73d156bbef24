//! Terrains as data: a generator turns (task vector, RNG) into a
//! [`TerrainLayout`] (a ground polyline plus convex obstacles), and one
//! builder puts any layout into a physics world.

pub mod cppn;
pub mod layout;

/// Declares each walker world's module and lists its `WORLD` in
/// [`TERRAINS`]: the one line a new terrain adds to.
macro_rules! terrains {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every walker world, in the order lists show them.
        pub const TERRAINS: &[&crate::world::WorldDescriptor] = &[$(&$module::WORLD),*];
    };
}

terrains![stumps, hexagons, poet, parkour];

pub use layout::{Features, TerrainGenerator, TerrainHandles, TerrainLayout, track};
