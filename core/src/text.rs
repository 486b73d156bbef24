//! The observation type of text worlds, shared by the worlds that produce it
//! and the students that read it.

/// What the player sees after each command.
#[derive(Clone, Debug, PartialEq)]
pub struct TextObs {
    /// Feedback to the last command (the room description after a reset or a move).
    pub feedback: String,
    /// The quest, in as much detail as the task's `goal_detail` gives.
    pub goal: String,
    /// What the player carries.
    pub inventory: String,
    /// The commands that do something here (TextWorld's admissible commands).
    pub admissible: Vec<String>,
}

impl TextObs {
    /// The whole observation as one text, as shown to a person or an LLM.
    pub fn render(&self) -> String {
        format!("{}\n{}\n{}", self.feedback, self.inventory, self.goal)
    }
}
