//! The observation type of text worlds, shared by the worlds that produce it
//! and the students that read it.

/// What the player sees after each command.
#[derive(Clone, Debug, PartialEq)]
pub struct TextObs {
    /// Feedback to the last command (the room description after a reset or a move).
    pub feedback: String,
    pub goal: String,
    pub inventory: String,
    pub admissible: Vec<String>,
}

impl TextObs {
    /// The whole observation as one text, as shown to a person or an LLM.
    pub fn render(&self) -> String {
        format!("{}\n{}\n{}", self.feedback, self.inventory, self.goal)
    }
}
