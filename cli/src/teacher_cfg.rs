//! Teacher settings adapted to the toy student (returns in [0, 100], 100 steps per episode).

/// Overrides of the benchmark defaults that only make sense in Stump Tracks units.
pub fn toy_config(name: &str) -> toml::Table {
    let text = match name {
        // Thresholds in the toy's return units; boundary moves sized to its cells.
        "adr" => "min_reward_thr = 5.0\nmax_reward_thr = 50.0\nstep_size = 0.05",
        // Updates every 20 episodes after 20 of warm-up (the defaults are in Stump Tracks steps).
        "spdl" => "update_frequency = 2000\nupdate_offset = 2000",
        _ => "",
    };
    text.parse().expect("toy teacher config is valid TOML")
}

/// Teachers given expert knowledge (an initial easy distribution), as in
/// TeachMyAgent's default "original" setting: ADR starts from it, SPDL moves
/// away from it, GoalGAN is pretrained on it.
pub fn needs_expert(name: &str) -> bool {
    matches!(name, "adr" | "spdl" | "goal-gan")
}
