import CoreMetrics
import Metrics
import Prometheus

/// The metrics Fairway exports, and the process's registry they live in.
///
/// `MetricsSystem` is process-wide, and several daemons may run in one process
/// (`InProcessCluster`, tests), so the first use of `registry` bootstraps it exactly once with a
/// `PrometheusMetricsFactory` over one `PrometheusCollectorRegistry`; every daemon's
/// `MetricsServer` serves that registry, and the `role` and `node` labels tell the daemons of
/// one process apart. Handles are made through `counter`/`gauge`/`timer` here, so none is made
/// before the bootstrap (a handle made earlier would stay a no-op).
///
/// Only committed state is counted: the shells update these after their `CommitLoop` batch is
/// durable (durable before visible). The pure cores emit nothing.
public enum FairwayMetrics {
    /// The process's registry; its first use bootstraps `MetricsSystem` (once per process).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            requestDuration.name: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
                                   .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                   .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5)],
            epochDuration.name: [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
                                 .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(600)],
        ]
        // Another library in this process may have bootstrapped first; then our handles go to its factory.
        if MetricsSystem.factory is NOOPMetricsHandler { MetricsSystem.bootstrap(factory) }
        return registry
    }()

    /// Makes sure the registry exists and `MetricsSystem` is bootstrapped.
    public static func bootstrap() { _ = registry }

    /// A counter of `descriptor` with these label values (names from the descriptor, in order).
    public static func counter(_ descriptor: MetricDescriptor, _ values: String...) -> CoreMetrics.Counter {
        bootstrap()
        return CoreMetrics.Counter(label: descriptor.name, dimensions: dimensions(descriptor, values))
    }

    /// A counter of fractional amounts (contract rewards).
    public static func floatingCounter(_ descriptor: MetricDescriptor, _ values: String...) -> CoreMetrics.FloatingPointCounter {
        bootstrap()
        return CoreMetrics.FloatingPointCounter(label: descriptor.name, dimensions: dimensions(descriptor, values))
    }

    /// A gauge of `descriptor`.
    public static func gauge(_ descriptor: MetricDescriptor, _ values: String...) -> CoreMetrics.Gauge {
        bootstrap()
        return CoreMetrics.Gauge(label: descriptor.name, dimensions: dimensions(descriptor, values))
    }

    /// A duration histogram of `descriptor` (seconds in the exposition).
    public static func timer(_ descriptor: MetricDescriptor, _ values: String...) -> CoreMetrics.Timer {
        bootstrap()
        return CoreMetrics.Timer(label: descriptor.name, dimensions: dimensions(descriptor, values))
    }

    private static func dimensions(_ descriptor: MetricDescriptor, _ values: [String]) -> [(String, String)] {
        precondition(values.count == descriptor.labels.count, "\(descriptor.name) takes labels \(descriptor.labels)")
        return Array(zip(descriptor.labels, values))
    }

    /// The registry in the Prometheus text format 0.0.4, with a `# HELP` line (from `all`) before
    /// each family's `# TYPE` line (the swift-metrics path registers families without help).
    public static func exposition() -> [UInt8] {
        let text = registry.emitToString()
        var out = ""
        out.reserveCapacity(text.utf8.count + 4096)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first, let help = help[String(name)] {
                out += "# HELP \(name) \(help)\n"
            }
            out += line
            out += "\n"
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return Array(out.utf8)
    }

    /// The content type of `exposition()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private static let help: [String: String] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.help) })
}
