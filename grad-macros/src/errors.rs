//! Collects every error of one invocation, so the user sees them all at once.

/// A list of errors folded with [`syn::Error::combine`] at the end.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok` if nothing was pushed, else all errors as one.
    pub fn finish(self) -> syn::Result<()> {
        let mut errors = self.0.into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            first.combine(error);
        }
        Err(first)
    }
}

impl Extend<syn::Error> for Errors {
    fn extend<I: IntoIterator<Item = syn::Error>>(&mut self, errors: I) {
        self.0.extend(errors);
    }
}
