import Foundation

/// One request as the simulator saw it; timestamps are Unix seconds with sub-millisecond precision
/// so tests can assert ordering and that calls for one customer never overlapped.
public struct CallRecord: Codable, Sendable, Equatable {
    public var sequence: Int
    public var group: EndpointGroup
    public var method: String
    public var path: String
    public var status: Int
    public var customerId: String?
    public var msRequestId: String?
    public var msCorrelationId: String?
    public var startedAt: Double
    public var endedAt: Double
    /// The fault that answered instead of the route (`throttle`, `storm`, `failure`, `hang`), nil for a
    /// real answer (the rate limiter's 429s included): tests tell an injected 429 from the limiter's.
    public var injected: String? = nil
}

/// A bounded ring of recent calls: a benchmark can run for hours without the log growing.
final class CallLog: Sendable {
    private struct Ring: Sendable {
        var records: [CallRecord] = []
        var head = 0
        var nextSequence = 1
        var capacity: Int
    }

    private let ring: LockedValue<Ring>

    init(capacity: Int) { ring = LockedValue(Ring(capacity: max(0, capacity))) }

    func append(_ make: (Int) -> CallRecord) {
        ring.withLock { r in
            let record = make(r.nextSequence)
            r.nextSequence += 1
            guard r.capacity > 0 else { return }
            if r.records.count < r.capacity {
                r.records.append(record)
            } else {
                r.records[r.head] = record
                r.head = (r.head + 1) % r.capacity
            }
        }
    }

    /// Records in arrival order of completion, oldest first.
    func snapshot() -> [CallRecord] {
        ring.withLock { r in Array(r.records[r.head...] + r.records[..<r.head]) }
    }

    func clear() {
        ring.withLock { r in
            r.records.removeAll(keepingCapacity: true)
            r.head = 0
        }
    }
}
