//! How a world describes itself: what each observation and action entry
//! means and spans, the range of episodic returns, and when an episode counts
//! as a success — the facts Gymnasium documents in an env's "Observation
//! Space" and "Rewards" sections, here as data the code reads.
//!
//! The training loop, the teachers (reward normalisation), evaluation (%
//! mastered), the viewer and the docs all take these from the world, so a
//! new world cannot disagree with the rest of trellis about them.

use serde::{Deserialize, Serialize};

/// One named entry of an observation or action vector and the range its
/// values stay in (infinite where the physics does not bound it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// What the value is, e.g. `hull_angle`, `lidar_3`, `hip_1_torque`.
    pub name: String,
    /// Smallest value the world produces (or accepts, for actions).
    pub low: f32,
    /// Largest value.
    pub high: f32,
}

impl Entry {
    /// An entry named `name` spanning `[low, high]`.
    pub fn new(name: impl Into<String>, low: f32, high: f32) -> Self {
        Self {
            name: name.into(),
            low,
            high,
        }
    }

    /// An entry with no bound (velocities and the like).
    pub fn unbounded(name: impl Into<String>) -> Self {
        Self::new(name, f32::NEG_INFINITY, f32::INFINITY)
    }

    /// Does `x` lie in the entry's range?
    pub fn contains(&self, x: f32) -> bool {
        x >= self.low && x <= self.high
    }
}

/// What a world observes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Layout {
    /// A vector of floats, entry by entry.
    Vector(Vec<Entry>),
    /// Text (with whatever structure the world's observation type has).
    Text,
}

impl Layout {
    /// The vector entries (none for text).
    pub fn entries(&self) -> &[Entry] {
        match self {
            Layout::Vector(e) => e,
            Layout::Text => &[],
        }
    }
}

/// When an episode is a success (for the "% mastered" of evaluations and the
/// `success` column of the logs).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Success {
    /// The episodic return is strictly above this bar (TeachMyAgent's walkers:
    /// 230, "the agent went far enough and fast enough").
    ReturnAbove(f64),
    /// The world decides (a text game is won).
    Won,
}

impl Success {
    /// The one success test: `won` is the world's own verdict, used by
    /// [`Success::Won`] worlds.
    pub fn judge(&self, ret: f64, won: bool) -> bool {
        match *self {
            Success::ReturnAbove(bar) => ret > bar,
            Success::Won => won,
        }
    }

    /// The return bar, if success is a return bar.
    pub fn return_bar(&self) -> Option<f64> {
        match *self {
            Success::ReturnAbove(bar) => Some(bar),
            Success::Won => None,
        }
    }
}

/// Everything a world says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvSpec {
    /// The registry name (`stump-tracks`, `parkour`, `text-world`, ...).
    pub name: String,
    /// The body, for worlds that have one.
    pub body: Option<String>,
    /// Observation layout.
    pub observation: Layout,
    /// Action layout (text worlds: [`Layout::Text`], a command).
    pub action: Layout,
    /// Episodic returns lie (nearly always) in this range; teachers use it to
    /// normalise returns, so it is the reference's range where there is one.
    pub reward_range: (f64, f64),
    /// When an episode counts as a success.
    pub success: Success,
    /// Steps after which an episode is truncated; None where it depends on
    /// the task (a text game allows 4× its gold path + 20).
    pub max_steps: Option<u32>,
}

impl EnvSpec {
    /// Names of the observation entries, in order.
    pub fn observation_names(&self) -> Vec<&str> {
        self.observation
            .entries()
            .iter()
            .map(|e| e.name.as_str())
            .collect()
    }

    /// A Markdown table of the observation and action entries, for docs and
    /// `trellis describe`.
    pub fn markdown(&self) -> String {
        let mut s = format!("### {}", self.name);
        if let Some(b) = &self.body {
            s += &format!(" ({b})");
        }
        s += &format!(
            "\n\nreturns in [{}, {}] · success: {} · step limit: {}\n",
            self.reward_range.0,
            self.reward_range.1,
            match self.success {
                Success::ReturnAbove(bar) => format!("return > {bar}"),
                Success::Won => "the game is won".into(),
            },
            self.max_steps
                .map_or("per task".to_string(), |n| n.to_string())
        );
        for (what, layout) in [("observation", &self.observation), ("action", &self.action)] {
            match layout {
                Layout::Text => s += &format!("\n{what}: text\n"),
                Layout::Vector(entries) => {
                    s += &format!("\n| {what} | name | low | high |\n|---|---|---|---|\n");
                    for (i, e) in entries.iter().enumerate() {
                        s += &format!("| {i} | {} | {} | {} |\n", e.name, e.low, e.high);
                    }
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_is_strictly_above_the_bar() {
        let s = Success::ReturnAbove(230.0);
        assert!(!s.judge(230.0, true));
        assert!(s.judge(230.01, false));
        assert!(Success::Won.judge(-5.0, true));
        assert!(!Success::Won.judge(1e9, false));
    }

    #[test]
    fn markdown_lists_every_entry() {
        let spec = EnvSpec {
            name: "w".into(),
            body: None,
            observation: Layout::Vector(vec![Entry::new("a", 0.0, 1.0), Entry::unbounded("b")]),
            action: Layout::Text,
            reward_range: (0.0, 1.0),
            success: Success::Won,
            max_steps: Some(3),
        };
        let md = spec.markdown();
        assert!(md.contains("| 1 | b | -inf | inf |"), "{md}");
        assert!(md.contains("action: text"), "{md}");
    }
}
