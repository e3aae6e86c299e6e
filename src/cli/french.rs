//! clap in French: help templates and headings on every subcommand, French
//! help and version flags, and a French rendering of parse errors.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

const TEMPLATE: &str = "{before-help}{about-with-newline}\n\
                        Utilisation : {usage}\n\n{all-args}{after-help}";

/// Applies the French templates and flags to `cmd` and all its subcommands.
pub fn frenchify(cmd: Command) -> Command {
    let is_root = cmd.get_version().is_some();
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Commandes")
        .subcommand_value_name("COMMANDE")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("aide")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Affiche cette aide"),
        );
    if is_root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Affiche la version"),
        );
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names
        .into_iter()
        .fold(cmd, |c, n| c.mut_subcommand(n, frenchify))
}

/// clap's generated words that templates cannot reach.
pub fn translate_help(text: &str) -> String {
    text.replace("[default: ", "[par défaut : ")
        .replace("[possible values: ", "[valeurs possibles : ")
        .replace("[aliases: ", "[autres noms : ")
        .replace("Usage: ", "Utilisation : ")
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A French message for a parse error (not for help or version output).
pub fn error_message(e: &clap::Error) -> String {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut msg = match e.kind() {
        ErrorKind::UnknownArgument => format!("argument inattendu « {arg} »"),
        ErrorKind::InvalidSubcommand => format!(
            "sous-commande inconnue « {} »",
            context(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue => {
            let mut m = format!("valeur invalide « {value} » pour « {arg} »");
            if let Some(valid) = context(e, ContextKind::ValidValue) {
                m.push_str(&format!(" (valeurs possibles : {valid})"));
            }
            m
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default();
            if why.is_empty() {
                format!("valeur invalide « {value} » pour « {arg} »")
            } else {
                format!("valeur invalide « {value} » pour « {arg} » : {why}")
            }
        }
        ErrorKind::MissingRequiredArgument => {
            format!("argument obligatoire manquant : {arg}")
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "il manque une sous-commande".to_string()
        }
        ErrorKind::ArgumentConflict => format!(
            "« {arg} » ne peut pas être utilisé avec « {} »",
            context(e, ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues => format!("trop de valeurs pour « {arg} » : « {value} »"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("nombre de valeurs incorrect pour « {arg} »")
        }
        ErrorKind::NoEquals => format!("« {arg} » attend « = » avant sa valeur"),
        ErrorKind::InvalidUtf8 => "un argument n'est pas du texte UTF-8 valide".to_string(),
        _ => "arguments invalides".to_string(),
    };
    let suggestion = context(e, ContextKind::SuggestedSubcommand)
        .or_else(|| context(e, ContextKind::SuggestedArg))
        .or_else(|| context(e, ContextKind::SuggestedValue));
    if let Some(s) = suggestion {
        msg.push_str(&format!(" (vouliez-vous dire « {s} » ?)"));
    }
    if let Some(usage) = context(e, ContextKind::Usage) {
        msg.push_str(&format!("\n\n{}", translate_help(usage.trim())));
    }
    msg.push_str("\n\nPour plus d'informations, essayez « --help ».");
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    fn run(args: &[&str]) -> clap::Error {
        frenchify(Cli::command())
            .try_get_matches_from(args)
            .expect_err("must fail")
    }

    #[test]
    fn help_is_french_on_every_level() {
        let root = translate_help(&run(&["passerelle", "--help"]).to_string());
        assert!(root.contains("Utilisation : passerelle"), "{root}");
        assert!(root.contains("Commandes"), "{root}");
        assert!(root.contains("Affiche cette aide"), "{root}");
        for english in ["Usage:", "Commands:", "Print help", "Print version"] {
            assert!(!root.contains(english), "{english} in {root}");
        }
        let purge = translate_help(&run(&["passerelle", "purge", "--help"]).to_string());
        assert!(purge.contains("[par défaut : 730]"), "{purge}");
        assert!(!purge.contains("[default"), "{purge}");
        assert!(purge.contains("Affiche cette aide"), "{purge}");
    }

    #[test]
    fn errors_are_french() {
        let m = error_message(&run(&["passerelle", "beneficiaires", "liste", "--jsn"]));
        assert!(m.starts_with("argument inattendu « --jsn »"), "{m}");
        assert!(m.contains("vouliez-vous dire « --json »"), "{m}");
        assert!(
            m.contains("Utilisation : passerelle beneficiaires liste"),
            "{m}"
        );
        assert!(!m.contains("error:") && !m.contains("Usage"), "{m}");
        let m = error_message(&run(&["passerelle", "beneficiaire"]));
        assert!(
            m.starts_with("sous-commande inconnue « beneficiaire »"),
            "{m}"
        );
        let m = error_message(&run(&["passerelle", "demo", "--nombre", "zéro"]));
        assert!(m.contains("« zéro » n'est pas un nombre entier"), "{m}");
        let m = error_message(&run(&["passerelle", "beneficiaires", "export"]));
        assert!(m.starts_with("argument obligatoire manquant"), "{m}");
    }
}
