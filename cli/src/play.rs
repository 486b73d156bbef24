//! `trellis play --env text-world`: play a generated game in the terminal.

use std::io::{BufRead, Write};

use anyhow::Result;
use clap::Args;
use trellis_envs::WorldRequest;

#[derive(Args, Debug)]
pub struct Play {
    #[arg(long, default_value = "text-world")]
    pub env: String,
    /// Task vector, comma-separated (rooms, distractors, quest_length, closed_fraction, goal_detail, inventory_limit).
    #[arg(long)]
    pub task: Option<String>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

pub fn run(p: &Play) -> Result<()> {
    let Some(mut env) = trellis_envs::registry::make(&p.env, &WorldRequest::default())?.into_text() else {
        return Err(crate::exit::Input(format!(
            "`trellis play` plays text worlds in the terminal; `{}` is not one (watch a walker world with trellis-viz)",
            p.env
        ))
        .into());
    };
    let task = match &p.task {
        Some(t) => Some(env.task_space().parse(t).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let (obs, _) = env.reset(Some(p.seed), task.as_deref())?;
    println!(
        "{}\n\nType commands (\"help\" lists the ones that do something, \"quit\" leaves).",
        obs.render()
    );
    let mut admissible = obs.admissible;
    let stdin = std::io::stdin();
    loop {
        print!("> ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            return Ok(());
        }
        match line.trim() {
            "quit" | "exit" => return Ok(()),
            "help" => {
                println!("{}", admissible.join("\n"));
                continue;
            }
            _ => {}
        }
        let s = env.step(&line.trim().to_string());
        println!("{}", s.obs.feedback);
        if s.reward > 0.0 {
            println!("(+{} points)", s.reward);
        }
        if s.done() {
            let stats = s.info.episode.expect("last step carries episode stats");
            println!(
                "Game over: {} in {} moves, score {}.",
                if stats.success { "won" } else { "out of moves" },
                stats.len,
                stats.ret
            );
            return Ok(());
        }
        admissible = s.obs.admissible;
    }
}
