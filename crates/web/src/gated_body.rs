//! A request body that is read no further than its first bytes until the
//! handler lets it through. The multipart parser reads ahead as far as the
//! network allows; an upload's body must not be read (nor held in memory)
//! before the session, the CSRF token (the form's first field) and the
//! member's right are checked. While closed, the gate hands on at most
//! [`CLOSED_BUDGET`] bytes (more only as far as one network frame goes past
//! it), then waits until [`Gate::open`]. Once open, it hands on one chunk
//! per turn (so the parser gives each chunk to the handler before it reads
//! the next, instead of buffering all that has arrived), and no more than
//! the handler's limit: past it the body ends, and [`Gate::exceeded`] says
//! so.
use axum::body::{Body, Bytes};
use futures_core::Stream;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// What may be read before the gate opens: the form's first field.
pub const CLOSED_BUDGET: usize = 16 * 1024;

#[derive(Default)]
struct State {
    open: bool,
    /// Bytes that may pass in all, once open.
    cap: usize,
    exceeded: bool,
    waker: Option<Waker>,
}

/// The handler's side: opens the gate once the checks passed.
#[derive(Clone, Default)]
pub struct Gate(Arc<Mutex<State>>);

impl Gate {
    /// Lets the body through, up to `cap` bytes in all.
    pub fn open(&self, cap: usize) {
        if let Ok(mut s) = self.0.lock() {
            s.open = true;
            s.cap = cap;
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        }
    }

    /// The body went past the cap (and was cut off there).
    pub fn exceeded(&self) -> bool {
        self.0.lock().map(|s| s.exceeded).unwrap_or(true)
    }
}

struct Gated {
    inner: axum::body::BodyDataStream,
    gate: Gate,
    passed: usize,
    /// A chunk was just handed on: this turn answers "later" once.
    yielded: bool,
}

impl Stream for Gated {
    type Item = Result<Bytes, axum::Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let open = {
            let Ok(mut s) = self.gate.0.lock() else {
                return Poll::Ready(None);
            };
            if !s.open && self.passed >= CLOSED_BUDGET {
                s.waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
            if s.open && self.passed > s.cap {
                s.exceeded = true;
                return Poll::Ready(None);
            }
            s.open
        };
        if open && self.yielded {
            self.yielded = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(Some(Ok(b))) = &next {
            self.passed += b.len();
            self.yielded = true;
        }
        next
    }
}

/// The body behind a gate, and the gate.
pub fn gated(body: Body) -> (Body, Gate) {
    let gate = Gate::default();
    let stream = Gated {
        inner: body.into_data_stream(),
        gate: gate.clone(),
        passed: 0,
        yielded: false,
    };
    (Body::from_stream(stream), gate)
}
