//! `trellis describe`: what trellis has (worlds, bodies, teachers, students,
//! from their tables), or one world's observation and action entries as the
//! world itself declares them.

use anyhow::Result;
use clap::Args;
use trellis_envs::WorldRequest;

/// Arguments of `trellis describe`.
#[derive(Args, Debug)]
pub struct Describe {
    /// A world to describe entry by entry (default: list everything).
    #[arg(long)]
    pub env: Option<String>,
    /// The walker body (default: the world's benchmark body).
    #[arg(long)]
    pub body: Option<String>,
}

/// Prints the tables, or one world's spec as Markdown.
pub fn run(d: &Describe) -> Result<()> {
    let Some(env) = &d.env else {
        println!("worlds:");
        for w in trellis_envs::registry::worlds() {
            println!("  {:<16} {}", w.name, w.summary);
        }
        println!("bodies:");
        for b in trellis_envs::bodies::BODIES {
            println!("  {}", b.name);
        }
        println!("teachers:");
        for t in trellis_teachers::TEACHERS {
            let expert = if t.needs_expert {
                " (needs expert knowledge)"
            } else {
                ""
            };
            println!("  {:<16} {}{expert}", t.name, t.summary);
        }
        println!("open-ended teachers (a population of environment-agent pairs; student `es`):");
        for t in trellis_teachers::open_ended::OPEN_ENDED {
            println!("  {:<16} {}", t.name, t.summary);
        }
        println!("students:");
        for s in trellis_agents::STUDENTS {
            println!("  {:<16} {}", s.name, s.summary);
        }
        return Ok(());
    };
    let req = WorldRequest {
        body: d.body.clone(),
        ..WorldRequest::default()
    };
    let built = trellis_envs::registry::make(env, &req)?;
    println!("{}", built.spec().markdown());
    let options = trellis_envs::registry::world(env)?.options;
    if !options.is_empty() {
        println!("\nOptions (the run config's `[{env}]` section, or `--set {env}.KEY=VALUE`):\n");
        println!("| key | default | what |\n|---|---|---|");
        for o in options {
            println!("| `{}` | {} | {} |", o.key, o.default, o.doc);
        }
    }
    Ok(())
}
