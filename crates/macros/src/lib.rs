//! `#[lockstep::test]`: one test body, explored on every backend.
//!
//! Users reach it as `lockstep::test` (the user-facing crate re-exports it). It turns
//!
//! ```
//! #[lockstep::test(iterations = 500, strategy = "pct-3")]
//! fn two_increments_both_land() {
//!     use lockstep::sync::{Arc, Mutex};
//!     let counter = Arc::new(Mutex::new(0));
//!     let c = Arc::clone(&counter);
//!     let t = lockstep::thread::spawn(move || *c.lock() += 1);
//!     *counter.lock() += 1;
//!     t.join().unwrap();
//!     assert_eq!(*counter.lock(), 2);
//! }
//! # fn main() {}
//! ```
//!
//! into a `#[test]` that runs `lockstep::check::Test::new(<its path>, env!("CARGO_MANIFEST_DIR"))`
//! with the given settings: under std the body runs once; under shuttle it is explored with
//! the test's strategy; under loom every interleaving up to its preemption bound. Each
//! `key = value` argument becomes a call `.key(value)` on the `Test` (a parenthesized value
//! `key = (a, b)` becomes `.key(a, b)`): `iterations`, `strategy`, `seed`,
//! `preemption_bound`, `faults`, `size`, `time_limit`, `shrink_budget`, `regressions_dir`,
//! `lock_order` (`"strict"` for lockdep's rule), `liveness` (`"strict"`: a timed wait that
//! timed out while what it waited for was there fails the test), `livelock_bound` (retries
//! without progress before a thread counts as spinning; 0 turns livelock detection off).
//! Other attributes on the function (`#[should_panic]`, doc comments) are kept.
//!
//! On an `async fn` (with lockstep's feature `tokio`) the body runs inside
//! `lockstep::tokio::block_on`, on the same three backends with the same settings, seed files
//! and replay: under std on a tokio runtime, under shuttle on shuttle's executor with tasks as
//! threads of the execution, under loom with every task a loom thread (at most 4 tasks):
//!
//! ```
//! #[lockstep::test(iterations = 100)]
//! async fn a_spawned_task_sees_the_lock_released() {
//!     use lockstep::tokio::{sync::Mutex, task};
//!     use std::sync::Arc;
//!     let counter = Arc::new(Mutex::new(0));
//!     let c = Arc::clone(&counter);
//!     let t = task::spawn(async move { *c.lock().await += 1 });
//!     *counter.lock().await += 1;
//!     t.await.unwrap();
//!     assert_eq!(*counter.lock().await, 2);
//! }
//! # fn main() {}
//! ```
//!
//! Written on `proc_macro` alone (no syn or quote), so the attribute adds one small crate to a
//! user's build.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// The settings a test attribute may give: each is a method of `lockstep::check::Test`.
const SETTINGS: [&str; 12] = [
    "iterations",
    "strategy",
    "seed",
    "preemption_bound",
    "faults",
    "size",
    "time_limit",
    "shrink_budget",
    "regressions_dir",
    "lock_order",
    "liveness",
    "livelock_bound",
];

/// Explores the function's body as a test on the build's backend; see the crate docs.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args, item) {
        Ok(tokens) => tokens,
        Err((span, message)) => compile_error(span, &message),
    }
}

type Error = (Span, String);

fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream, Error> {
    let settings = settings(args)?;
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => group,
        other => {
            let span = other.map_or_else(Span::call_site, |t| t.span());
            return Err((
                span,
                "#[lockstep::test] goes on a function with a body".into(),
            ));
        }
    };
    let name = function_name(&tokens)?;
    let asynchronous = check_signature(&tokens, &name)?;
    // `#[test]`, the function's own attributes and signature (a plain `fn`: libtest calls it),
    // then the body as a closure handed to `Test::run`; an async body runs in `block_on`.
    let mut out: TokenStream = "#[test]".parse().expect("valid tokens");
    out.extend(tokens.into_iter().filter(|t| !is_async(t)));
    let body = if asynchronous {
        let mut run: TokenStream = "::lockstep::tokio::block_on".parse().expect("valid tokens");
        let future: TokenStream = [
            TokenTree::Ident(Ident::new("async", Span::call_site())),
            TokenTree::Ident(Ident::new("move", Span::call_site())),
            TokenTree::Group(body),
        ]
        .into_iter()
        .collect();
        run.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, future))]);
        Group::new(Delimiter::Brace, run)
    } else {
        body
    };
    let mut call: TokenStream = format!(
        "::lockstep::check::Test::new(::core::concat!(::core::module_path!(), \"::{name}\"), \
         ::core::env!(\"CARGO_MANIFEST_DIR\"))"
    )
    .parse()
    .expect("valid tokens");
    for (key, value) in settings {
        call.extend([punct('.'), TokenTree::Ident(key)]);
        call.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, value))]);
    }
    call.extend([
        punct('.'),
        TokenTree::Ident(Ident::new("run", Span::call_site())),
    ]);
    let closure: TokenStream = [
        TokenTree::Ident(Ident::new("move", Span::call_site())),
        punct('|'),
        punct('|'),
        TokenTree::Group(body),
    ]
    .into_iter()
    .collect();
    call.extend([TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        closure,
    ))]);
    call.extend([TokenTree::Punct(Punct::new(';', Spacing::Alone))]);
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, call))]);
    Ok(out)
}

/// `key = value, ...` as (method, argument tokens); a parenthesized value is several
/// arguments.
fn settings(args: TokenStream) -> Result<Vec<(Ident, TokenStream)>, Error> {
    let mut settings = Vec::new();
    let mut tokens = args.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let TokenTree::Ident(key) = token else {
            return Err((token.span(), "expected `name = value`".into()));
        };
        if !SETTINGS.contains(&key.to_string().as_str()) {
            return Err((
                key.span(),
                format!(
                    "unknown setting `{key}`; #[lockstep::test] takes: {}",
                    SETTINGS.join(", ")
                ),
            ));
        }
        match tokens.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == '=' => {}
            _ => return Err((key.span(), format!("expected `{key} = value`"))),
        }
        let mut value = TokenStream::new();
        while let Some(token) =
            tokens.next_if(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        {
            value.extend([token]);
        }
        tokens.next(); // the comma, if any
        let mut parts = value.clone().into_iter();
        let value = match (parts.next(), parts.next()) {
            (Some(TokenTree::Group(group)), None)
                if group.delimiter() == Delimiter::Parenthesis =>
            {
                group.stream()
            }
            (None, _) => return Err((key.span(), format!("`{key} =` needs a value"))),
            _ => value,
        };
        settings.push((key, value));
    }
    Ok(settings)
}

/// The identifier after `fn`.
fn function_name(tokens: &[TokenTree]) -> Result<Ident, Error> {
    let at = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i.to_string() == "fn"));
    match at.and_then(|at| tokens.get(at + 1)) {
        Some(TokenTree::Ident(name)) => Ok(name.clone()),
        _ => Err((
            Span::call_site(),
            "#[lockstep::test] goes on a function".into(),
        )),
    }
}

/// A test body takes no arguments, returns nothing and is not generic; it may be `async`
/// (then it needs the `tokio` feature). Returns whether it is `async`.
fn check_signature(tokens: &[TokenTree], name: &Ident) -> Result<bool, Error> {
    let after_name = tokens
        .iter()
        .skip_while(|t| !matches!(t, TokenTree::Ident(i) if i.to_string() == name.to_string()))
        .skip(1);
    let rest: Vec<&TokenTree> = after_name.collect();
    let plain = matches!(rest.as_slice(), [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis && g.stream().is_empty());
    if !plain {
        return Err((
            name.span(),
            format!(
                "#[lockstep::test] needs `fn {name}()` or `async fn {name}()`: no arguments, \
                 no return type, not generic"
            ),
        ));
    }
    let Some(qualifier) = tokens.iter().find(|t| is_async(t)) else {
        return Ok(false);
    };
    async_support(cfg!(feature = "tokio")).map_err(|message| (qualifier.span(), message))?;
    Ok(true)
}

/// Whether `token` is the `async` qualifier (attributes are groups, so a top-level `async` is
/// the function's).
fn is_async(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Ident(i) if i.to_string() == "async")
}

/// An `async fn` test runs inside `lockstep::tokio::block_on`, which the `tokio` feature
/// builds: without it, the error says which feature to turn on.
fn async_support(tokio_feature: bool) -> Result<(), String> {
    if tokio_feature {
        return Ok(());
    }
    Err(
        "#[lockstep::test] on an `async fn` needs lockstep's `tokio` feature (it runs the \
         body in `lockstep::tokio::block_on`): depend on \
         `lockstep = { package = \"lockstep-dst\", features = [\"tokio\"] }`"
            .into(),
    )
}

fn punct(c: char) -> TokenTree {
    TokenTree::Punct(Punct::new(c, Spacing::Alone))
}

/// `compile_error!("message")` at `span`.
fn compile_error(span: Span, message: &str) -> TokenStream {
    let mut literal = Literal::string(message);
    literal.set_span(span);
    let spanned = |mut token: TokenTree| {
        token.set_span(span);
        token
    };
    [
        TokenTree::Ident(Ident::new("compile_error", span)),
        spanned(punct('!')),
        spanned(TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            TokenTree::Literal(literal).into(),
        ))),
        spanned(punct(';')),
    ]
    .into_iter()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::async_support;

    #[test]
    fn an_async_test_without_the_tokio_feature_names_the_feature() {
        let message = async_support(false).unwrap_err();
        assert!(
            message.contains("needs lockstep's `tokio` feature")
                && message.contains("features = [\"tokio\"]"),
            "{message}"
        );
        assert_eq!(async_support(true), Ok(()));
    }
}
