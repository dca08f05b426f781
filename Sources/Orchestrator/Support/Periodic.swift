import ServiceLifecycle

/// The loop of every periodic service (rescuer, drift scheduler, customer sync, token keeper,
/// consent housekeeping, metrics sampler): one pass, then a wait, until the service group shuts
/// down gracefully or the task is cancelled.
///
/// A pass never throws: each service logs its own failures and the next pass tries again, so one
/// bad pass cannot end the service (a `run()` that throws would stop the whole group). Shutdown
/// cancels the wait and the loop ends normally: a `CancellationError` out of `run()` would count
/// as a failed service at every shutdown.
public enum Periodic {
    /// Runs `pass` every `interval` (measured from the end of one pass to the start of the next);
    /// `waitFirst` waits one interval before the first pass (for work that must not run at boot).
    public static func run(every interval: Duration, waitFirst: Bool = false, _ pass: @escaping @Sendable () async -> Void) async {
        await cancelWhenGracefulShutdown {
            if waitFirst {
                do { try await Task.sleep(for: interval) } catch { return }
            }
            while !Task.isCancelled {
                await pass()
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }
}
