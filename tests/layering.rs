//! The source tree's layering rules (ARCHITECTURE.md), checked on the
//! files themselves so that a new import that breaks them fails here and
//! not in a reviewer's head:
//!
//! - no two files import each other, directly or through others;
//! - a stage imports only its own folder and lower stages: the wire format
//!   knows nothing of keys or sealers, keys nothing of sealers, the core
//!   nothing of revocation or the web adapters;
//! - no library file is longer than [`MAX_LINES`].
//!
//! Imports are read from `use crate::..`/`use super::..` items and from
//! `crate::a::b` paths in code (comments and doc links do not count). Names
//! re-exported by `lib.rs` or a folder's `mod.rs` are followed to the file
//! that defines them.
#![cfg(not(target_family = "wasm"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// "About 400 lines" (the style guide), with room for a long doc example.
const MAX_LINES: usize = 430;

/// The stages, lowest first. A file's stage is its first path component
/// under `src/` (`wire/aad.rs` -> `wire`, `session/id.rs` -> `session`).
const STAGES: &[(&str, u8)] = &[
    ("error", 0),
    ("random", 0),
    ("wire", 1),
    ("keys", 2),
    ("cookie", 2),
    ("session", 2),
    ("schema", 2),
    ("sealer", 3),
    ("chunking", 4),
    ("revocation", 5),
    ("http", 6),
    ("web", 7),
    ("tower", 8),
    ("actix", 8),
    ("axum", 9),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library source file (the CLI under `src/bin` is a separate crate),
/// as a module path: `wire/aad.rs` -> `wire::aad`, `wire/mod.rs` -> `wire`,
/// `lib.rs` -> the empty path.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().unwrap() != "bin" {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(src()).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
                parts.pop();
            }
            (parts.join("::"), fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// The code of a file without comments, string literals and `#[cfg(test)]`
/// modules (unit tests may reach anywhere in their own file's tree).
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .map(|line| {
            let mut out = String::new();
            let mut in_str = false;
            for c in line.chars() {
                if c == '"' {
                    in_str = !in_str;
                } else if !in_str {
                    out.push(c);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `use` trees flattened to full paths: `use crate::a::{b, c::D};` gives
/// `crate::a::b` and `crate::a::c::D`.
fn use_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        expand("", &rest[..end], &mut out);
        rest = &rest[end..];
    }
    out
}

fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: String = tree[..open].split_whitespace().collect();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&format!("{prefix}{head}"), &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&format!("{prefix}{head}"), &inner[start..], out);
    } else if !tree.is_empty() {
        // `a::b as c` names `a::b`; `self` in a group names the group.
        let leaf: String = tree
            .split(" as ")
            .next()
            .unwrap_or(tree)
            .split_whitespace()
            .collect();
        let path = format!("{prefix}{leaf}");
        out.push(
            path.strip_suffix("::self")
                .map_or(path.clone(), str::to_owned),
        );
    }
}

/// `crate::a::b` paths written inline in code, outside `use` items.
fn inline_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let path: String = code[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        out.push(path.trim_end_matches(':').to_owned());
    }
    out
}

/// Names re-exported by a module (`pub use child::Name;`), to the module
/// that defines them.
fn reexports(modules: &BTreeMap<String, String>) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (module, text) in modules {
        for line in code(text).lines() {
            let line = line.trim();
            let Some(tree) = line
                .strip_prefix("pub use ")
                .or_else(|| line.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            let mut paths = Vec::new();
            expand("", tree.trim_end_matches(';'), &mut paths);
            for path in paths {
                // `pub use time;` re-exports a dependency, not a module.
                let Some((from, name)) = path.rsplit_once("::") else {
                    continue;
                };
                let from = from
                    .trim_start_matches("crate::")
                    .trim_start_matches("self::");
                let target = if module.is_empty() || path.starts_with("crate::") {
                    from.to_owned()
                } else {
                    format!("{module}::{from}")
                };
                out.insert((module.clone(), name.to_owned()), target);
            }
        }
    }
    out
}

/// The file a path in `module` names: the deepest existing module along
/// it, following re-exports of its last name.
fn resolve(
    module: &str,
    path: &str,
    modules: &BTreeMap<String, String>,
    reexports: &BTreeMap<(String, String), String>,
) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Vec<String> = match *segments.first()? {
        "crate" => Vec::new(),
        "super" => {
            let mut parts: Vec<String> = module.split("::").map(str::to_owned).collect();
            parts.pop();
            parts
        }
        "self" => module.split("::").map(str::to_owned).collect(),
        _ => return None,
    };
    segments.remove(0);
    while segments.first() == Some(&"super") {
        segments.remove(0);
        base.pop();
    }
    let mut found = base.join("::");
    for segment in segments {
        let next = if found.is_empty() {
            segment.to_owned()
        } else {
            format!("{found}::{segment}")
        };
        if modules.contains_key(&next) {
            found = next;
        } else if let Some(target) = reexports.get(&(found.clone(), segment.to_owned())) {
            found = target.clone();
            while !modules.contains_key(&found) {
                found = found.rsplit_once("::")?.0.to_owned();
            }
            break;
        } else {
            break;
        }
    }
    Some(found)
}

fn stage(module: &str) -> Option<u8> {
    let top = module.split("::").next()?;
    STAGES
        .iter()
        .find(|(name, _)| *name == top)
        .map(|(_, r)| *r)
}

/// Each library module and the modules it imports (itself and `lib.rs`
/// left out).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let reexports = reexports(&modules);
    let mut graph = BTreeMap::new();
    for (module, text) in modules.iter().filter(|(m, _)| !m.is_empty()) {
        let code = code(text);
        let mut deps = BTreeSet::new();
        for path in use_paths(&code).into_iter().chain(inline_paths(&code)) {
            if let Some(dep) = resolve(module, &path, &modules, &reexports)
                && !dep.is_empty()
                && dep != *module
            {
                deps.insert(dep);
            }
        }
        graph.insert(module.clone(), deps);
    }
    graph
}

#[test]
fn no_import_cycles() {
    let graph = graph();
    // Depth-first search; a back edge is a cycle, reported as a path.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for dep in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(dep, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn stages_import_only_downward() {
    let mut wrong = Vec::new();
    for (module, deps) in graph() {
        let Some(rank) = stage(&module) else {
            panic!("{module}: not in a known stage; add its folder to STAGES and ARCHITECTURE.md");
        };
        let own = module.split("::").next().unwrap();
        for dep in deps {
            let dep_top = dep.split("::").next().unwrap();
            if dep_top == own {
                continue;
            }
            match stage(&dep) {
                Some(r) if r < rank => {}
                _ => wrong.push(format!("{module} imports {dep}")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the stages:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_sees_imports() {
    // The rules above pass trivially if the parser finds nothing: pin a
    // few imports that exist.
    let graph = graph();
    let deps = |m: &str| graph.get(m).cloned().unwrap_or_default();
    assert!(deps("sealer::open").contains("wire::envelope"));
    assert!(deps("sealer::open").contains("sealer"));
    assert!(
        deps("chunking::open").contains("sealer"),
        "{:?}",
        deps("chunking::open")
    );
    assert!(
        deps("keys::ring").contains("keys::key"),
        "{:?}",
        deps("keys::ring")
    );
    let has = |m: &str, stage: &str| deps(m).iter().any(|d| d.starts_with(stage));
    assert!(has("web::exchange", "http"), "{:?}", deps("web::exchange"));
    assert!(has("tower::layer", "web::"), "{:?}", deps("tower::layer"));
    assert!(!deps("wire::codec").iter().any(|d| d.starts_with("sealer")));
    let mut paths = Vec::new();
    expand("", "crate::a::{self as x, b, c::{D, E as F}}", &mut paths);
    assert_eq!(
        paths,
        [
            "crate::a",
            "crate::a::b",
            "crate::a::c::D",
            "crate::a::c::E"
        ]
    );
}

#[test]
fn files_stay_short() {
    let long: Vec<String> = modules()
        .iter()
        .map(|(module, text)| (module, text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(module, lines)| format!("{module}: {lines} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}
