/// A strict sliding one-second window at the level of single calls, as the simulator enforces it
/// (`--limiter sliding-window`): a call is refused while `limit` calls arrived in the second before
/// it. Refused calls count against the window unless `countsRefused` is false; another consumer's
/// calls always count. Unlike a per-window share, it remembers: an overshoot that fills the window
/// keeps refusing for up to a second after the rate was cut, which is what the controller must not
/// mistake for the new rate's congestion, nor for noise.
struct SlidingWindowModel {
    let limit: Int
    let countsRefused: Bool
    let otherConsumer: Double
    private var arrivals: [Double] = []
    private var head = 0

    init(limit: Int = 50, countsRefused: Bool, otherConsumer: Double) {
        self.limit = limit
        self.countsRefused = countsRefused
        self.otherConsumer = otherConsumer
    }

    /// Our calls in window `index` (one second), spread evenly at `rate`, among the other
    /// consumer's; returns how many we sent and how many were refused.
    mutating func send(window index: Int, rate: Double) -> (calls: Int, throttled: Int) {
        let calls = max(Int(rate.rounded()), 1)
        var events: [(time: Double, ours: Bool)] = (0..<calls).map { (Double(index) + Double($0) / Double(calls), true) }
        if otherConsumer > 0 {
            let theirs = Int(otherConsumer.rounded())
            events += (0..<theirs).map { (Double(index) + (Double($0) + 0.5) / Double(theirs), false) }
        }
        var throttled = 0
        for event in events.sorted(by: { $0.time < $1.time }) {
            while head < arrivals.count, arrivals[head] <= event.time - 1 { head += 1 }
            let full = arrivals.count - head >= limit
            if event.ours && full { throttled += 1 }
            if !full || !event.ours || countsRefused { arrivals.append(event.time) }
        }
        if head > 4096 {
            arrivals.removeFirst(head)
            head = 0
        }
        return (calls, throttled)
    }
}
