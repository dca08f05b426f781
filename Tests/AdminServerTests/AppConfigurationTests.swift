import AdminServer
import Composition
import CPVTestSupport
import ConsentStore
import Testing

@Suite struct AppConfigurationTests {
    let database = "postgres://cpv@127.0.0.1:5432/cpv"

    func valid(_ overrides: [String: String] = [:], removing: [String] = []) -> [String: String] {
        var environment = [
            "CPV_DATABASE_URL": database,
            "CPV_APP_ID": TestEnvironment.applicationID,
            "CPV_APP_SECRET": "s3cr3t-value",
            "CPV_SEALING_KEYS": TestEnvironment.sealingKeys,
            "CPV_AUDIT_KEYS": TestEnvironment.auditKeys,
        ]
        environment.merge(overrides) { _, new in new }
        for key in removing { environment[key] = nil }
        return environment
    }

    func problem(_ environment: [String: String], purpose: AppConfiguration.Purpose = .server,
                 files: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try AppConfiguration(environment: environment, purpose: purpose, readFile: { files[$0] })
            return nil
        } catch {
            return error
        }
    }

    @Test func aMinimalServerEnvironmentGetsDocumentedDefaults() throws {
        let configuration = try AppConfiguration(environment: valid(), purpose: .server)
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8080)
        #expect(configuration.publicURL == "http://127.0.0.1:8080")
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
        #expect(configuration.workers == 128)
        #expect(configuration.tokenStore == .database)
        #expect(configuration.sealingKeys?.current.id == "test1")
        #expect(configuration.endpoints == .init())
        #expect(configuration.auditKeys?.current.id == "testaudit1")
        #expect(configuration.auditUnkeyedEvents == nil)
        #expect(configuration.trustedProxies.isEmpty)
        #expect(configuration.consoleIdleMinutes == 30)
        #expect(configuration.invitationDays == 7)
        #expect(configuration.consentRequestsPerMinute == 30)
        #expect(configuration.exportDeadlineSeconds == 300)
        #expect(configuration.internalHTTPPort == nil)
        #expect(configuration.grantCeiling == nil)
        #expect(configuration.graphRateLimit == 2_000)
        #expect(configuration.tokenRateLimit == 500)
    }

    @Test func theReconcileBudgetsAreSettable() throws {
        let configuration = try AppConfiguration(
            environment: valid(["CPV_GRAPH_RATE_LIMIT": "0", "CPV_TOKEN_RATE_LIMIT": "250"]), purpose: .server)
        #expect(configuration.graphRateLimit == 0)
        #expect(configuration.tokenRateLimit == 250)
    }

    @Test func aGrantCeilingBelowTheFirstGrantSetIsRefused() {
        let ceiling = "00000003-0000-0000-c000-000000000000=Directory.Read.All;797f4846-ba00-4fd7-ba43-dac1f8f63013=user_impersonation"
        #expect(problem(valid(["CPV_GRANT_CEILING": ceiling]))?.key == "CPV_GRAPH_SCOPES")
        #expect(problem(valid(["CPV_GRANT_CEILING": ceiling, "CPV_GRAPH_SCOPES": "Directory.Read.All"])) == nil)
    }

    @Test func keyVaultStoreReadsTheVaultAndTheApplicationsHomeTenant() throws {
        // given
        let environment = valid([
            "CPV_TOKEN_STORE": "keyvault", "CPV_KEYVAULT_URL": "https://cpv.vault.azure.net/",
            "CPV_KEYVAULT_TENANT_ID": "99999999-8888-4777-8666-555555555555",
        ])
        // when
        let configuration = try AppConfiguration(environment: environment, purpose: .server)
        // then
        #expect(configuration.tokenStore == .keyvault)
        #expect(configuration.endpoints.keyVault == "https://cpv.vault.azure.net")
        #expect(configuration.keyVaultTenantID?.description == "99999999-8888-4777-8666-555555555555")
    }

    @Test func migrateNeedsOnlyTheDatabase() throws {
        let configuration = try AppConfiguration(environment: ["CPV_DATABASE_URL": database], purpose: .databaseOnly)
        #expect(configuration.applicationID == nil)
    }

    @Test(arguments: [
        (["CPV_DATABASE_URL": "mysql://x@y/z"], "CPV_DATABASE_URL"),
        (["CPV_DATABASE_URL": "postgres://cpv@localhost"], "CPV_DATABASE_URL"),
        (["CPV_HTTP_PORT": "eighty"], "CPV_HTTP_PORT"),
        (["CPV_HTTP_PORT": "70000"], "CPV_HTTP_PORT"),
        (["CPV_LOG_LEVEL": "loud"], "CPV_LOG_LEVEL"),
        (["CPV_LOG_FORMAT": "xml"], "CPV_LOG_FORMAT"),
        (["CPV_WORKERS": "-1"], "CPV_WORKERS"),
        (["CPV_APP_ID": "my-app"], "CPV_APP_ID"),
        (["CPV_PUBLIC_URL": "ftp://example.com"], "CPV_PUBLIC_URL"),
        (["CPV_LOGIN_URL": "not a url"], "CPV_LOGIN_URL"),
        (["CPV_SEALING_KEYS": "k1:c2hvcnQ="], "CPV_SEALING_KEYS"),
        (["CPV_SEALING_KEYS": "no-colon"], "CPV_SEALING_KEYS"),
        (["CPV_TOKEN_STORE": "keyvault"], "CPV_KEYVAULT_URL"),
        (["CPV_TOKEN_STORE": "keyvault", "CPV_KEYVAULT_URL": "https://cpv.vault.azure.net"], "CPV_KEYVAULT_TENANT_ID"),
        (["CPV_KEYVAULT_TENANT_ID": "contoso.onmicrosoft.com"], "CPV_KEYVAULT_TENANT_ID"),
        (["CPV_DATABSE_URL": "typo"], "CPV_DATABSE_URL"),
        (["CPV_APP_CERT_FILE": "/nonexistent/cert.pem"], "CPV_APP_CERT_FILE"),
        (["CPV_AUDIT_KEYS": "a1:c2hvcnQ="], "CPV_AUDIT_KEYS"),
        (["CPV_AUDIT_UNKEYED_EVENTS": "-1"], "CPV_AUDIT_UNKEYED_EVENTS"),
        (["CPV_TRUSTED_PROXIES": "10.0.0.0/33"], "CPV_TRUSTED_PROXIES"),
        (["CPV_TRUSTED_PROXIES": "proxy.example.com"], "CPV_TRUSTED_PROXIES"),
        (["CPV_CONSOLE_IDLE_MINUTES": "0"], "CPV_CONSOLE_IDLE_MINUTES"),
        (["CPV_INVITATION_DAYS": "31"], "CPV_INVITATION_DAYS"),
        (["CPV_GRANT_CEILING": "graph=everything"], "CPV_GRANT_CEILING"),
        (["CPV_INTERNAL_HTTP_PORT": "internal"], "CPV_INTERNAL_HTTP_PORT"),
        (["CPV_EXPORT_DEADLINE_SECONDS": "1"], "CPV_EXPORT_DEADLINE_SECONDS"),
        (["CPV_GRAPH_RATE_LIMIT": "20000"], "CPV_GRAPH_RATE_LIMIT"),
        (["CPV_TOKEN_RATE_LIMIT": "many"], "CPV_TOKEN_RATE_LIMIT"),
    ])
    func aBadValueStopsTheBootNamingItsKey(_ overrides: [String: String], _ key: String) {
        #expect(problem(valid(overrides))?.key == key)
    }

    @Test(arguments: ["CPV_DATABASE_URL", "CPV_APP_ID", "CPV_APP_SECRET", "CPV_SEALING_KEYS", "CPV_AUDIT_KEYS"])
    func aMissingRequiredSettingIsNamed(_ key: String) {
        #expect(problem(valid(removing: [key]))?.key == key)
    }

    @Test func secretsCanComeFromFiles() throws {
        let environment = valid(["CPV_APP_SECRET_FILE": "/run/secrets/app"], removing: ["CPV_APP_SECRET"])
        let configuration = try AppConfiguration(
            environment: environment, purpose: .server, readFile: { $0 == "/run/secrets/app" ? "from-file\n" : nil })
        guard case .secret(let secret)? = configuration.clientCredential else {
            Issue.record("expected a client secret")
            return
        }
        #expect(secret.revealed == "from-file")
    }

    @Test func aSecretAndItsFileTogetherAreRefused() {
        let environment = valid(["CPV_APP_SECRET_FILE": "/run/secrets/app"])
        #expect(problem(environment, files: ["/run/secrets/app": "x"])?.key == "CPV_APP_SECRET")
    }

    @Test func anUnreadableSecretFileIsNamed() {
        let environment = valid(["CPV_SEALING_KEYS_FILE": "/run/secrets/keys"], removing: ["CPV_SEALING_KEYS"])
        #expect(problem(environment)?.key == "CPV_SEALING_KEYS_FILE")
    }

    @Test func aCertificateNeedsItsKey() {
        let environment = valid(["CPV_APP_CERT_FILE": "/etc/cpv/cert.pem"], removing: ["CPV_APP_SECRET"])
        #expect(problem(environment, files: ["/etc/cpv/cert.pem": "PEM"])?.key == "CPV_APP_KEY_FILE")
    }

    @Test func noErrorMessageOrDescriptionContainsASecretValue() throws {
        let configuration = try AppConfiguration(
            environment: valid(["CPV_DATABASE_URL": "postgres://cpv:dbpass123@127.0.0.1/cpv"]), purpose: .server)
        let printed = String(describing: configuration) + String(reflecting: configuration)
        #expect(!printed.contains("s3cr3t-value"))
        #expect(!printed.contains("dbpass123"))
        let keyMaterial = TestEnvironment.sealingKeys.split(separator: ":")[1]
        #expect(!printed.contains(keyMaterial))
        let error = problem(valid(["CPV_SEALING_KEYS": "k1:c2hvcnQ="]))
        #expect(!(error?.description.contains("c2hvcnQ=") ?? true))
        let auditMaterial = TestEnvironment.auditKeys.split(separator: ":")[1]
        #expect(!printed.contains(auditMaterial))
    }
}
