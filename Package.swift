// swift-tools-version:6.1
import PackageDescription

// CI sets CI=true: there, every warning in our own targets is an error (dependencies are untouched).
let strictWarnings = Context.environment["CI"] != nil

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
] + (strictWarnings ? [.unsafeFlags(["-warnings-as-errors"])] : [])

let package = Package(
    name: "cpv-consent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cpv", targets: ["cpv"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Tests only: parses the checked-in Public/openapi.yaml.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // Pure domain: value types, the consent state machine, domain errors. Foundation only.
        .target(
            name: "ConsentDomain",
            swiftSettings: swiftSettings
        ),
        // Clients for Entra ID, Partner Center, Graph, ARM and Key Vault.
        .target(
            name: "MicrosoftCloud",
            dependencies: [
                "ConsentDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgresNIO repositories, migration runner, token sealer, audit writer.
        .target(
            name: "ConsentStore",
            dependencies: [
                "ConsentDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Sync, grantor, runs, workers, rate governors, token keeper: all as Services.
        .target(
            name: "Orchestrator",
            dependencies: [
                "ConsentDomain",
                "MicrosoftCloud",
                "ConsentStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The composition root without HTTP: configuration read once, the dependency graph built
        // once, logging set up. `cpv serve` puts AdminServer on top; `cpv worker`, `migrate`,
        // `keys` and the other one-shot commands use it alone.
        .target(
            name: "Composition",
            dependencies: [
                "ConsentDomain",
                "MicrosoftCloud",
                "ConsentStore",
                "Orchestrator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application: JSON API, console, consent flow, health, metrics.
        .target(
            name: "AdminServer",
            dependencies: [
                "ConsentDomain",
                "MicrosoftCloud",
                "ConsentStore",
                "Orchestrator",
                "Composition",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A faithful offline stand-in for Entra ID, Partner Center, Graph, ARM and Key Vault.
        // Never imported by product modules; only by `cpv simulator`, `cpv demo` and tests.
        .target(
            name: "PartnerCenterSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cpv",
            dependencies: [
                "ConsentDomain",
                "MicrosoftCloud",
                "ConsentStore",
                "Orchestrator",
                "Composition",
                "AdminServer",
                "PartnerCenterSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Shared test helpers: per-test databases cloned from a migrated template, the simulator
        // on port 0, waiting on conditions with deadlines.
        .target(
            name: "CPVTestSupport",
            dependencies: [
                "ConsentDomain",
                "ConsentStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CPVTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsentDomainTests",
            dependencies: ["ConsentDomain", "CPVTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MicrosoftCloudTests",
            dependencies: [
                "MicrosoftCloud", "PartnerCenterSimulator", "CPVTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsentStoreTests",
            dependencies: ["ConsentStore", "CPVTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: [
                "Orchestrator", "PartnerCenterSimulator", "CPVTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AdminServerTests",
            dependencies: [
                "AdminServer", "Composition", "PartnerCenterSimulator", "CPVTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The console's HTML snapshots are read from disk by path, not bundled.
            exclude: ["__Snapshots__"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PartnerCenterSimulatorTests",
            dependencies: [
                "PartnerCenterSimulator",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "cpvTests",
            dependencies: [
                "cpv", "CPVTestSupport", "AdminServer", "Composition", "ConsentStore", "ConsentDomain", "PartnerCenterSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
