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
//! so. A client that sends nothing for [`IDLE`] (while the gate is not
//! holding it back) ends the body with an error, so a slow sender cannot
//! hold the request open for ever.
use axum::body::{Body, Bytes};
use futures_core::Stream;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// What may be read before the gate opens: the form's first field.
pub const CLOSED_BUDGET: usize = 16 * 1024;

/// The longest silence of the client while its body is being read.
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(30);

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
    /// When the client's silence ends the body; moved on by every chunk,
    /// and by the gate's opening (the wait for the checks is ours).
    idle: Pin<Box<tokio::time::Sleep>>,
    /// The gate held the body back on the last turn.
    held: bool,
}

impl Gated {
    fn rearm(&mut self) {
        self.idle.as_mut().reset(tokio::time::Instant::now() + IDLE);
    }
}

impl Stream for Gated {
    type Item = Result<Bytes, axum::Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let gate = self.gate.clone();
        let open = {
            let Ok(mut s) = gate.0.lock() else {
                return Poll::Ready(None);
            };
            if !s.open && self.passed >= CLOSED_BUDGET {
                s.waker = Some(cx.waker().clone());
                self.held = true;
                return Poll::Pending;
            }
            if s.open && self.passed > s.cap {
                s.exceeded = true;
                return Poll::Ready(None);
            }
            s.open
        };
        if self.held {
            self.held = false;
            self.rearm();
        }
        if open && self.yielded {
            self.yielded = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = Pin::new(&mut self.inner).poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(b))) => {
                self.passed += b.len();
                self.yielded = true;
                self.rearm();
            }
            Poll::Pending if self.idle.as_mut().poll(cx).is_ready() => {
                return Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the client sent nothing for too long",
                )))));
            }
            _ => {}
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
        idle: Box::pin(tokio::time::sleep(IDLE)),
        held: false,
    };
    (Body::from_stream(stream), gate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A body that sends `first`, then nothing, for ever.
    fn silent_after(first: &'static [u8]) -> Body {
        let s = async_stream(first);
        Body::from_stream(s)
    }

    fn async_stream(
        first: &'static [u8],
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        struct S(Option<Bytes>);
        impl Stream for S {
            type Item = Result<Bytes, std::io::Error>;
            fn poll_next(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<Option<Self::Item>> {
                match self.0.take() {
                    Some(b) => Poll::Ready(Some(Ok(b))),
                    None => Poll::Pending,
                }
            }
        }
        S(Some(Bytes::from_static(first)))
    }

    // Tokio's paused clock: time moves only when every task waits, so the
    // test waits for no real second.
    #[tokio::test(start_paused = true)]
    async fn a_silent_client_ends_its_body_after_the_idle_time() {
        let (body, gate) = gated(silent_after(b"csrf=..."));
        gate.open(1024);
        let mut body = body;
        let start = tokio::time::Instant::now();
        let first = body.frame().await.expect("frame").expect("data");
        assert_eq!(first.into_data().ok().as_deref(), Some(&b"csrf=..."[..]));
        // (Bounded, so that a body that never ends fails the test.)
        let end = tokio::time::timeout(IDLE * 4, body.frame())
            .await
            .expect("ended within the idle time")
            .expect("an end");
        assert!(end.is_err(), "silence is an error, not the end of the body");
        assert_eq!(tokio::time::Instant::now() - start, IDLE);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_for_the_checks_does_not_count_as_silence() {
        let big: &'static [u8] = Box::leak(vec![b'x'; CLOSED_BUDGET].into_boxed_slice());
        let (mut body, gate) = gated(silent_after(big));
        body.frame().await.expect("frame").expect("data");
        // The gate holds the body while the handler checks (here: longer
        // than the idle time); opening it starts a fresh idle time.
        let reader = tokio::spawn(async move { body.frame().await.map(|f| f.is_err()) });
        // Virtual time (paused clock): no real waiting.
        tokio::time::sleep(IDLE * 2).await;
        let opened = tokio::time::Instant::now();
        gate.open(CLOSED_BUDGET * 2);
        assert_eq!(reader.await.expect("reader"), Some(true));
        assert_eq!(tokio::time::Instant::now() - opened, IDLE);
    }
}
