import ConsentDomain
import Prometheus

/// The product's own metrics, declared in one place with the `cpv_` prefix.
///
/// Labels are low-cardinality by rule: route templates, outcomes, error codes; never a tenant id.
/// Request metrics from Hummingbird's `MetricsMiddleware` reach the same registry when `cpv serve`
/// bootstraps the global metrics system with it.
public struct AppMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "cpv", metricName: "build", unitName: "info",
                helpText: "Always 1; the label carries the running version."),
            labels: [("version", ProductVersion.current)]
        ).set(1.0)
    }
}
