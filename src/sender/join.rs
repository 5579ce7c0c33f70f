//! Polling futures together on one thread, without a runtime: [`join_all`]
//! for several sends (a call bounded by a timer is [`super::Host::within`]).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Poll futures together until all are done (no runtime needed).
pub fn join_all<'a, O>(futs: Vec<Pin<Box<dyn Future<Output = O> + 'a>>>) -> impl Future<Output = Vec<O>> + 'a
where
    O: 'a,
{
    struct JoinAll<'a, O> {
        futs: Vec<Option<Pin<Box<dyn Future<Output = O> + 'a>>>>,
        out: Vec<Option<O>>,
    }
    // Only boxed futures and outputs are held, never pinned in place.
    impl<O> Unpin for JoinAll<'_, O> {}
    impl<O> Future for JoinAll<'_, O> {
        type Output = Vec<O>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<O>> {
            let this = self.get_mut();
            let mut pending = false;
            for (slot, out) in this.futs.iter_mut().zip(this.out.iter_mut()) {
                if let Some(f) = slot {
                    match f.as_mut().poll(cx) {
                        Poll::Ready(v) => {
                            *out = Some(v);
                            *slot = None;
                        }
                        Poll::Pending => pending = true,
                    }
                }
            }
            if pending { Poll::Pending } else { Poll::Ready(this.out.iter_mut().filter_map(Option::take).collect()) }
        }
    }
    let n = futs.len();
    JoinAll { futs: futs.into_iter().map(Some).collect(), out: (0..n).map(|_| None).collect() }
}
