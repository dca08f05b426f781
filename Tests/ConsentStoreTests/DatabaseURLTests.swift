import ConsentStore
import Testing

@Suite struct DatabaseURLTests {
    @Test func parsesAFullTCPURL() throws {
        let url = try DatabaseURL(parsing: "postgres://cpv:s%40cret@db.internal:6543/consent?sslmode=require")
        #expect(url.endpoint == .tcp(host: "db.internal", port: 6543))
        #expect(url.username == "cpv")
        #expect(url.password?.revealed == "s@cret")
        #expect(url.database == "consent")
        #expect(url.tlsMode == .require)
        #expect(!url.isLocal)
    }

    @Test func defaultsThePortAndAcceptsThePostgresqlScheme() throws {
        let url = try DatabaseURL(parsing: "postgresql://cpv@localhost/cpv")
        #expect(url.endpoint == .tcp(host: "localhost", port: 5432))
        #expect(url.isLocal)
    }

    @Test func parsesAUnixSocketInLibpqForm() throws {
        let url = try DatabaseURL(parsing: "postgres://cpv@/cpv?host=/var/run/postgresql")
        #expect(url.endpoint == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432"))
        #expect(url.isLocal)
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let url = try DatabaseURL(parsing: "postgres://cpv:hunter2@127.0.0.1:5432/cpv")
        #expect(!url.description.contains("hunter2"))
        #expect(url.description == "postgres://cpv@127.0.0.1:5432/cpv")
    }

    @Test(arguments: [
        ("mysql://cpv@localhost/cpv", "scheme"),
        ("postgres://localhost/cpv", "user name"),
        ("postgres://cpv@localhost", "database name"),
        ("postgres://cpv@localhost/cpv?sslmode=maybe", "sslmode"),
        ("postgres://cpv@localhost/cpv?foo=bar", "unknown query parameter"),
        ("not a url at all", "URL"),
    ])
    func malformedURLsAreRefusedWithAReason(_ input: String, _ expectedFragment: String) {
        #expect {
            try DatabaseURL(parsing: input)
        } throws: { error in
            String(describing: error).contains(expectedFragment)
        }
    }
}
